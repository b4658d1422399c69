// Dependency-injection tokens for the values that are not classes.
export const STORE = Symbol('STORE');
export const CONFIG = Symbol('CONFIG');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const AUTHORIZER = Symbol('AUTHORIZER');
export const RATE_LIMITER = Symbol('RATE_LIMITER');
export const REDIS = Symbol('REDIS');
