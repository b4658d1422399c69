// Dependency-injection tokens of the tenancy module.
export const TENANCY_CONFIG = Symbol('TENANCY_CONFIG');
export const SECRET_ENCRYPTION = Symbol('SECRET_ENCRYPTION');
