// The store's connections: one pg pool per process for objects and the change log, on plain SQL — no query
// compiler per statement, and a commit sent together with the last write (see commitWrites in write-tx.ts).
// Identity and audit have their own pool and Prisma client in @flotilla/identity.
import { Pool } from 'pg';

export function createPool(databaseUrl: string, opts: { maxConnections?: number } = {}): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
  // An idle client that loses its connection (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}
