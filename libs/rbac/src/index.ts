export * from './types';
export * from './rules';
export * from './policy';
export * from './defaults';
export * from './node';
