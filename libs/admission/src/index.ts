// Admission steps that every pod passes, whoever creates it (the API for a user, a controller for a
// workload): pod security, LimitRange defaults and bounds, ResourceQuota. Framework-free, so the API and
// the controller run the same code in the same transaction as the write.
export * from './limit-range';
export * from './pod-security';
export * from './quota';
export * from './admit';
