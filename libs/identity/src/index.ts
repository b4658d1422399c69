export * from './identity-db';
