export * from './cache';
export * from './errors';
export * from './keys';
export * from './lifecycle';
export * from './migrate';
export type { ValueTransformer } from './sql';
export * from './storable';
export * from './store';
export { WriteTx, type PendingWrite } from './write-tx';
