// The change-log follower: feeds a process's watch cache from Postgres. It loads a snapshot at start (and
// whenever the log was compacted past the cache), then reads the log in version order, woken by each
// commit's notification and, should one be lost, by a poll.
import { Client, Pool } from 'pg';
import { Change, ChangeType, WatchCache } from './cache';
import { StoreError } from './errors';
import { CHANNEL, decodeRow, Query, queryOn, ValueTransformer, withClient } from './sql';

/**
 * Most changes read from the log in one statement. Each page is alive at once three times over (the rows,
 * their decoded objects, what the watchers and handlers make of them): a mass delete of 10,000 pods read in
 * pages of 5,000 held tens of MB per page in every follower. A thousand still reads a backlog at well over
 * 10,000 changes a second.
 */
const PAGE = 1000;

export interface FollowerOptions {
  databaseUrl: string;
  transformer?: ValueTransformer;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class ChangeLogFollower {
  private listener?: Client;
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;
  private closed = false;
  private readonly sql: Query;

  constructor(
    private readonly pool: Pool,
    private readonly cache: WatchCache,
    private readonly opts: FollowerOptions,
  ) {
    this.sql = queryOn(pool);
  }

  /** Listens for commits, loads the snapshot, and polls every `pollIntervalMs` in case a notification is lost. */
  async start(pollIntervalMs: number): Promise<void> {
    await this.listen();
    await this.reload();
    this.pollTimer = setInterval(() => this.poll(), pollIntervalMs);
    this.pollTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl });
    // The payload is the version the commit reached: a cache already there (its own writes, read back right
    // after they committed) has nothing to read.
    client.on('notification', (n) => {
      if (!(Number(n.payload) <= this.cache.rv)) this.poll();
    });
    client.on('error', (err) => this.opts.log('change-log listener failed; reconnecting', { error: err.message }));
    client.on('end', () => {
      if (this.closed) return;
      setTimeout(() => this.listen().catch((err: Error) => this.opts.log('listener reconnect failed', { error: err.message })), 500).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.poll();
  }

  /** Loads a consistent snapshot of every object (start-up, or after the log was compacted past us). */
  async reload(): Promise<void> {
    const [objects, counters] = await withClient(this.pool, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const o = await c.query<{ resource: string; namespace: string; name: string; rv: string; json: string }>(
        'SELECT resource, namespace, name, resource_version::text AS rv, body::text AS json FROM objects',
      );
      const n = await c.query<{ name: string; value: string }>('SELECT name, value::text AS value FROM store_counters');
      await c.query('COMMIT');
      return [o.rows, n.rows] as const;
    });
    const counter = (n: string) => Number(counters.find((x) => x.name === n)?.value ?? 0);
    this.cache.load(
      objects.map((o) => ({
        resource: o.resource,
        namespace: o.namespace,
        name: o.name,
        rv: Number(o.rv),
        ...decodeRow(this.opts.transformer, o.resource, o.json),
      })),
      counter('resource_version'),
    );
    this.cache.compactedRv = counter('compacted');
  }

  /** Reads new changes from the log into the cache; one read at a time, re-run if asked meanwhile. */
  poll(): void {
    if (this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    void (async () => {
      try {
        do {
          this.pollAgain = false;
          for (;;) {
            const rows = await this.sql<{ rv: string; resource: string; namespace: string; name: string; type: ChangeType; json: string }>(
              `SELECT resource_version::text AS rv, resource, namespace, name, type, object::text AS json FROM changes WHERE resource_version > $1 ORDER BY resource_version LIMIT ${PAGE}`,
              this.cache.rv,
            );
            if (rows.length === 0) {
              await this.checkCompaction();
              break;
            }
            if (Number(rows[0].rv) !== this.cache.rv + 1 && Number(rows[0].rv) <= this.cache.compactedRv + 1) {
              // Should not happen: versions have no gaps. Guard anyway.
              this.opts.log('gap in change log; reloading cache', { from: this.cache.rv, next: rows[0].rv });
            }
            this.cache.apply(rows.map((r) => ({ ...r, rv: Number(r.rv), ...decodeRow(this.opts.transformer, r.resource, r.json) })));
            if (rows.length < PAGE) break;
          }
        } while (this.pollAgain && !this.closed);
      } catch (err) {
        if (!this.closed) this.opts.log('change-log poll failed', { error: (err as Error).message });
      } finally {
        this.polling = false;
      }
    })();
  }

  private async compacted(): Promise<{ value: string } | undefined> {
    return (await this.sql<{ value: string }>("SELECT value::text AS value FROM store_counters WHERE name = 'compacted'"))[0];
  }

  private async checkCompaction(): Promise<void> {
    // A change log compacted past the cache (e.g. after a long pause) means the cache must re-list.
    const compacted = Number((await this.compacted())?.value ?? 0);
    this.cache.compactedRv = compacted;
    if (compacted > this.cache.rv) await this.reload();
  }

  /** A resource's changes in (fromRv, toRv] from the log, for a watch resuming before the cache's ring. */
  async history(resource: string, fromRv: number, toRv: number): Promise<Change[]> {
    const rows = await this.sql<{ rv: string; namespace: string; name: string; type: ChangeType; json: string }>(
      'SELECT resource_version::text AS rv, namespace, name, type, object::text AS json FROM changes WHERE resource = $1 AND resource_version > $2 AND resource_version <= $3 ORDER BY resource_version',
      resource,
      fromRv,
      toRv,
    );
    const compacted = await this.compacted();
    if (fromRv < Number(compacted?.value ?? 0)) throw new StoreError('Expired', `too old resource version: ${fromRv} (${compacted?.value})`);
    return rows.map((r) => ({ ...r, resource, rv: Number(r.rv), ...decodeRow(this.opts.transformer, resource, r.json) }));
  }

  /** The latest committed version. */
  async currentRv(): Promise<number> {
    const rows = await this.sql<{ value: string }>("SELECT value::text AS value FROM store_counters WHERE name = 'resource_version'");
    return Number(rows[0].value);
  }
}
