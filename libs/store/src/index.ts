export * from './cache';
export * from './errors';
export * from './keys';
export * from './lifecycle';
export * from './migrate';
export * from './storable';
export * from './store';
