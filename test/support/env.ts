// Where the end-to-end suites find Postgres and Redis: the test database that scripts/test.sh prepares.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

function fromEnvFile(key: string): string | undefined {
  const file = join(process.env.FLOTILLA_DATA_DIR ?? join(ROOT, '.flotilla'), 'env');
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

export function testDatabaseUrl(): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const base = process.env.DATABASE_URL ?? fromEnvFile('DATABASE_URL');
  if (!base) throw new Error('no database: run `npm test` (scripts/test.sh), which prepares one');
  const u = new URL(base);
  u.pathname = '/flotilla_test';
  return u.toString();
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? fromEnvFile('REDIS_URL') ?? 'redis://127.0.0.1:6379';
}

/**
 * Removes namespaces and everything in them from the test database, as a suite's last step. A suite that
 * runs no controller cannot let namespace deletion empty them, and what it leaves (Deployments, unbound
 * pods) would be scheduled onto the nodes of the suites that run after it.
 */
export async function dropNamespaces(namespaces: string[]): Promise<void> {
  // Loaded here, so suites that never call this do not load pg.
  const { Client } = await import('pg');
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(`DELETE FROM objects WHERE namespace = ANY($1) OR (resource = 'core/namespaces' AND name = ANY($1))`, [namespaces]);
  } finally {
    await db.end();
  }
}

/**
 * Removes every Node and node Lease from the test database, before a suite that counts nodes starts its
 * API. Earlier suites' nodes are dead, and the node lifecycle controller rightly reads several dead nodes
 * at once as a disruption and stops evicting, which a failover test must not inherit. Suites run one at a time.
 */
export async function dropNodes(): Promise<void> {
  const { Client } = await import('pg');
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(`DELETE FROM objects WHERE resource IN ('core/nodes', 'coordination.k8s.io/leases')`);
  } finally {
    await db.end();
  }
}

/** Removes the component start records (GET /flotilla/v1/admin/components) of the test database's cluster from Redis. */
export async function dropComponentRecords(): Promise<void> {
  const [{ Redis }, { componentsKey }] = await Promise.all([import('ioredis'), import('@flotilla/queue')]);
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.del(componentsKey(testDatabaseUrl()));
  } finally {
    redis.disconnect();
  }
}
