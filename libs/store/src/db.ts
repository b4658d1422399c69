// The database connections: one pg pool per process, shared by the Prisma client (tenancy, audit: the
// model API on the pg driver adapter, no native engine) and the store's own SQL (objects and change log),
// which talks to pg directly on its hot paths — no query compiler per statement, and a commit that is
// sent together with the last write (see commitWrites in store.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

export interface Connections {
  db: Db;
  pool: Pool;
}

export function createDb(databaseUrl: string, opts: { maxConnections?: number } = {}): Connections {
  const pool = new Pool({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
  // An idle client that loses its connection (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  return { db: new PrismaClient({ adapter: new PrismaPg(pool) }), pool };
}
