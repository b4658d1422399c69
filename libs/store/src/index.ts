export * from './cache';
export * from './db';
export * from './errors';
export * from './keys';
export * from './lifecycle';
export * from './migrate';
export * from './store';
