// What the store's parts share to talk to Postgres: the query shape, the notification channel, how a write
// transaction is opened, and how a stored row becomes the object the cache and every reader see.
import type { Pool, PoolClient } from 'pg';
import type { KubeObject } from '@flotilla/resources';

/** The channel each commit notifies with the version it reached. */
export const CHANNEL = 'flotilla_changes';

/** Opens a write transaction, bounding how long a stalled caller may hold its row locks. */
export const BEGIN = "BEGIN; SET LOCAL idle_in_transaction_session_timeout = '30s'";

export type Query = <T = Record<string, unknown>>(sql: string, ...params: unknown[]) => Promise<T[]>;

/** A Query on a pool (any connection) or on one connection (inside its transaction). */
export function queryOn(db: Pool | PoolClient): Query {
  return async <T>(sql: string, ...params: unknown[]) => (await db.query(sql, params)).rows as T[];
}

/**
 * Changes how objects of some resources are kept in `objects.body` and `changes.object` (e.g.
 * Secret data encrypted at rest). Rows are decoded as they are read, so the watch cache, the
 * transaction reads and every answer see the plain object, as kube-apiserver's storage transformers do.
 */
export interface ValueTransformer {
  /** Resource keys ("core/secrets") whose rows are transformed. */
  readonly resources: ReadonlySet<string>;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/** Runs `fn` on one pooled connection; on failure the transaction is rolled back, and a broken connection discarded. */
export async function withClient<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    const result = await fn(c);
    c.release();
    return result;
  } catch (err) {
    await c.query('ROLLBACK').then(
      () => c.release(),
      (e: Error) => c.release(e),
    );
    throw err;
  }
}

/** A stored row's JSON as the cache keeps it: decoded when the resource is transformed. */
export function decodeRow(t: ValueTransformer | undefined, resource: string, json: string): { obj: KubeObject; json: string } {
  const stored = JSON.parse(json) as KubeObject;
  if (!t || !t.resources.has(resource)) return { obj: stored, json };
  const obj = t.fromStorage(stored);
  return { obj, json: JSON.stringify(obj) };
}
