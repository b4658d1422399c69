// The object store: Postgres is the record, the change log is written in the same transaction as
// each object, and every process reads through its own watch cache fed from that log.
//
// Ordering: each write transaction takes its versions from the `store_counters` row *last*, holding
// that row lock until commit, so commit order equals version order and a reader of the log that has
// seen version N has seen everything below N (no skipped or reordered change, DESIGN.md).
import { randomBytes } from 'node:crypto';
import { Client, Pool, PoolClient } from 'pg';
import type { KubeObject, ResourceType } from '@flotilla/resources';
import { Change, ChangeType, Entry, WatchCache, Watcher, WatchOptions } from './cache';
import { Connections, createDb, Db } from './db';
import { alreadyExists, conflict, notFound, StoreError } from './errors';
import { resourceKey } from './keys';
import { assertStorable } from './storable';
import { DeletePlan, indexColumns, planDelete, prepareCreate, prepareUpdate, PropagationPolicy, randomSuffix, readyToRemove, Subresource } from './lifecycle';

const CHANNEL = 'flotilla_changes';
/** Opens a write transaction, bounding how long a stalled caller may hold its row locks. */
const BEGIN = "BEGIN; SET LOCAL idle_in_transaction_session_timeout = '30s'";

export interface StoreOptions {
  databaseUrl: string;
  maxConnections?: number;
  /**
   * Changes kept in memory for watch replay; 0 in processes that serve no watches (each kept change pins a
   * full object and its JSON, plus the version before it). Older versions are replayed from the change log.
   */
  ringSize?: number;
  /** Bytes of JSON the replay ring may hold (default unbounded: `ringSize` alone bounds it). */
  ringMaxBytes?: number;
  /** Fallback poll of the change log when no notification arrives. */
  pollIntervalMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Rewrites the stored form of some resources (Secrets encrypted at rest). */
  transformer?: ValueTransformer;
  /** Share one commit among concurrent write-only transactions (default true; see `transaction`). */
  groupCommit?: boolean;
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

/** A stored row's JSON as the cache keeps it: decoded when the resource is transformed. */
function decodeRow(t: ValueTransformer | undefined, resource: string, json: string): { obj: KubeObject; json: string } {
  const stored = JSON.parse(json) as KubeObject;
  if (!t || !t.resources.has(resource)) return { obj: stored, json };
  const obj = t.fromStorage(stored);
  return { obj, json: JSON.stringify(obj) };
}

export interface ListOptions {
  namespace?: string;
  match?: (obj: KubeObject) => boolean;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: Entry[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  now?: Date;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** true when the object is gone; false when it is only marked (finalizers or graceful deletion). */
  removed: boolean;
}

export type Query = <T = Record<string, unknown>>(sql: string, ...params: unknown[]) => Promise<T[]>;

/** A Query on a pool (any connection) or on one connection (inside its transaction). */
function queryOn(db: Pool | PoolClient): Query {
  return async <T>(sql: string, ...params: unknown[]) => (await db.query(sql, params)).rows as T[];
}

interface PendingWrite {
  op: 'insert' | 'update' | 'delete';
  type: ChangeType;
  resource: string;
  namespace: string;
  name: string;
  obj: KubeObject;
}

/** The object a write is to: one statement keeps one row per key. */
function writeKey(w: PendingWrite): string {
  return `${w.resource}\0${w.namespace}\0${w.name}`;
}

interface Row {
  json: string;
}

/** A write-only transaction waiting for the group commit. */
interface QueuedCommit {
  writes: PendingWrite[];
  resolve: (lastRv: number) => void;
  reject: (err: unknown) => void;
}

/** Most writes one group commit carries: the statement stays small enough to plan and send quickly. */
const GROUP_COMMIT_MAX_WRITES = 256;

/**
 * Takes from the front of the queue the transactions that can share one statement: in arrival order, up to
 * the size limit, and stopping at one that writes an object another member writes (the statement keeps one
 * row per object, which is right within a transaction and wrong across two).
 */
function takeBatch(queue: QueuedCommit[]): QueuedCommit[] {
  const keys = new Set<string>();
  let writes = 0;
  let n = 0;
  for (; n < queue.length; n++) {
    const own = new Set(queue[n].writes.map(writeKey));
    if (n > 0 && (writes + queue[n].writes.length > GROUP_COMMIT_MAX_WRITES || [...own].some((k) => keys.has(k)))) break;
    own.forEach((k) => keys.add(k));
    writes += queue[n].writes.length;
  }
  return queue.splice(0, n);
}

/** A transaction in progress: reads lock rows; writes are queued and committed together. */
export class WriteTx {
  readonly writes: PendingWrite[] = [];
  constructor(
    readonly query: Query,
    readonly now: Date,
    private readonly transformer?: ValueTransformer,
  ) {}

  async read(t: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    const queued = [...this.writes].reverse().find((w) => w.resource === resourceKey(t) && w.namespace === namespace && w.name === name);
    if (queued) return queued.op === 'delete' ? undefined : queued.obj;
    const rows = await this.query<Row>(
      'SELECT body::text AS json FROM objects WHERE resource = $1 AND namespace = $2 AND name = $3 FOR UPDATE',
      resourceKey(t),
      namespace,
      name,
    );
    return rows[0] ? decodeRow(this.transformer, resourceKey(t), rows[0].json).obj : undefined;
  }

  async hasDependents(uid: string): Promise<boolean> {
    const rows = await this.query('SELECT 1 FROM objects WHERE owner_uids @> ARRAY[$1]::text[] LIMIT 1', uid);
    return rows.length > 0;
  }

  async dependents(uid: string): Promise<{ resource: string; obj: KubeObject }[]> {
    const rows = await this.query<{ resource: string; json: string }>(
      'SELECT resource, body::text AS json FROM objects WHERE owner_uids @> ARRAY[$1]::text[] FOR UPDATE',
      uid,
    );
    return rows.map((r) => ({ resource: r.resource, obj: decodeRow(this.transformer, r.resource, r.json).obj }));
  }

  queue(w: PendingWrite): KubeObject {
    this.writes.push(w);
    return w.obj;
  }
}

/** What this process has committed since it started (exported as metrics). */
export interface CommitStats {
  /** Commit statements that wrote something. */
  commits: number;
  /** Objects written by them. */
  writes: number;
  /** Write-only transactions that went through the group commit. */
  grouped: number;
}

export class Store {
  readonly cache: WatchCache;
  readonly commitStats: CommitStats = { commits: 0, writes: 0, grouped: 0 };
  private listener?: Client;
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;
  private closed = false;
  private readonly log: NonNullable<StoreOptions['log']>;

  /**
   * The Prisma client, for the identity admin (users, groups, token lists) and the audit reader. Its WASM
   * query compiler costs the process 40–110 MB once it first runs, so nothing on a hot path uses it: objects,
   * the change log, audit inserts and credential checks go through `sql`.
   */
  readonly db: Db;
  private readonly pool: Pool;
  /** Plain SQL on the pool (any connection). */
  readonly sql: Query;

  private constructor(
    conn: Connections,
    private readonly opts: StoreOptions,
  ) {
    this.db = conn.db;
    this.pool = conn.pool;
    this.sql = queryOn(conn.pool);
    this.log = opts.log ?? (() => undefined);
    this.cache = new WatchCache((resource, from, to) => this.history(resource, from, to), opts.ringSize, opts.ringMaxBytes);
  }

  static async open(opts: StoreOptions): Promise<Store> {
    const store = new Store(createDb(opts.databaseUrl, { maxConnections: opts.maxConnections }), opts);
    await store.listen();
    await store.reload();
    store.pollTimer = setInterval(() => store.poll(), opts.pollIntervalMs ?? 1000);
    store.pollTimer.unref();
    return store;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.cache.closeAll();
    await this.listener?.end().catch(() => undefined);
    await this.db.$disconnect();
    await this.pool.end().catch(() => undefined);
  }

  // ---- feeding the cache -----------------------------------------------------------------------

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl });
    // The payload is the version the commit reached: a cache already there (its own writes, read back right
    // after they committed) has nothing to read.
    client.on('notification', (n) => {
      if (!(Number(n.payload) <= this.cache.rv)) this.poll();
    });
    client.on('error', (err) => this.log('change-log listener failed; reconnecting', { error: err.message }));
    client.on('end', () => {
      if (this.closed) return;
      setTimeout(() => this.listen().catch((err: Error) => this.log('listener reconnect failed', { error: err.message })), 500).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.poll();
  }

  /** Loads a consistent snapshot of every object (start-up, or after the log was compacted past us). */
  async reload(): Promise<void> {
    const [objects, counters] = await this.withClient(async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const o = await c.query<{ resource: string; namespace: string; name: string; rv: string; json: string }>(
        'SELECT resource, namespace, name, resource_version::text AS rv, body::text AS json FROM objects',
      );
      const n = await c.query<{ name: string; value: string }>('SELECT name, value::text AS value FROM store_counters');
      await c.query('COMMIT');
      return [o.rows, n.rows] as const;
    });
    const counter = (n: string) => Number(counters.find((c) => c.name === n)?.value ?? 0);
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
              'SELECT resource_version::text AS rv, resource, namespace, name, type, object::text AS json FROM changes WHERE resource_version > $1 ORDER BY resource_version LIMIT 5000',
              this.cache.rv,
            );
            if (rows.length === 0) {
              await this.checkCompaction();
              break;
            }
            if (Number(rows[0].rv) !== this.cache.rv + 1 && Number(rows[0].rv) <= this.cache.compactedRv + 1) {
              // Should not happen: versions have no gaps. Guard anyway.
              this.log('gap in change log; reloading cache', { from: this.cache.rv, next: rows[0].rv });
            }
            this.cache.apply(rows.map((r) => ({ ...r, rv: Number(r.rv), ...decodeRow(this.opts.transformer, r.resource, r.json) })));
            if (rows.length < 5000) break;
          }
        } while (this.pollAgain && !this.closed);
      } catch (err) {
        if (!this.closed) this.log('change-log poll failed', { error: (err as Error).message });
      } finally {
        this.polling = false;
      }
    })();
  }

  private async checkCompaction(): Promise<void> {
    // A change log compacted past the cache (e.g. after a long pause) means the cache must re-list.
    const rows = await this.sql<{ value: string }>("SELECT value::text AS value FROM store_counters WHERE name = 'compacted'");
    const compacted = Number(rows[0]?.value ?? 0);
    this.cache.compactedRv = compacted;
    if (compacted > this.cache.rv) await this.reload();
  }

  private async history(resource: string, fromRv: number, toRv: number): Promise<Change[]> {
    const rows = await this.sql<{ rv: string; namespace: string; name: string; type: ChangeType; json: string }>(
      'SELECT resource_version::text AS rv, namespace, name, type, object::text AS json FROM changes WHERE resource = $1 AND resource_version > $2 AND resource_version <= $3 ORDER BY resource_version',
      resource,
      fromRv,
      toRv,
    );
    const compacted = await this.sql<{ value: string }>("SELECT value::text AS value FROM store_counters WHERE name = 'compacted'");
    if (fromRv < Number(compacted[0]?.value ?? 0)) throw new StoreError('Expired', `too old resource version: ${fromRv} (${compacted[0]?.value})`);
    return rows.map((r) => ({ ...r, resource, rv: Number(r.rv), ...decodeRow(this.opts.transformer, resource, r.json) }));
  }

  /** Which of these uids belong to stored objects, read from the database (the cache may lag behind it). */
  async existingUids(uids: string[]): Promise<Set<string>> {
    const valid = uids.filter((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u));
    if (valid.length === 0) return new Set();
    const rows = await this.sql<{ uid: string }>('SELECT uid::text AS uid FROM objects WHERE uid = ANY($1::uuid[])', valid);
    return new Set(rows.map((r) => r.uid));
  }

  /** The latest committed version. */
  async currentRv(): Promise<number> {
    const rows = await this.sql<{ value: string }>("SELECT value::text AS value FROM store_counters WHERE name = 'resource_version'");
    return Number(rows[0].value);
  }

  /**
   * A read barrier: returns once the cache holds everything committed before the call.
   * Concurrent callers share one version read, as long as it has not been sent yet: a read sent
   * after a caller arrived sees everything committed before that caller, so the answer holds for it.
   */
  sync(): Promise<void> {
    if (this.pendingSync) return this.pendingSync;
    const pending = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pendingSync = undefined;
        this.currentRv()
          .then(async (rv) => {
            if (rv > this.cache.rv) {
              this.poll();
              await this.cache.waitFor(rv);
            }
          })
          .then(resolve, reject);
      });
    });
    this.pendingSync = pending;
    return pending;
  }

  private pendingSync?: Promise<void>;

  // ---- reads -----------------------------------------------------------------------------------

  async get(t: ResourceType, namespace: string, name: string, opts: { consistent?: boolean } = {}): Promise<Entry | undefined> {
    if (opts.consistent !== false) await this.sync();
    return this.cache.get(resourceKey(t), t.namespaced ? namespace : '', name);
  }

  async list(t: ResourceType, opts: ListOptions = {}, read: { consistent?: boolean; minRv?: number } = {}): Promise<ListResult> {
    if (read.minRv !== undefined && read.minRv > this.cache.rv) {
      this.poll();
      await this.cache.waitFor(read.minRv);
    } else if (read.consistent !== false) await this.sync();
    const rv = this.cache.rv;
    let after: { namespace: string; name: string } | undefined;
    if (opts.continueToken) after = decodeContinue(opts.continueToken);
    const all = this.cache.list(resourceKey(t), t.namespaced ? opts.namespace : undefined, after);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: Entry[] = [];
    let i = 0;
    for (; i < all.length && items.length < limit; i++) {
      const e = all[i];
      if (!opts.match || opts.match(e.obj)) items.push(e);
    }
    let continueToken: string | undefined;
    let remainingItemCount: number | undefined;
    if (items.length === limit && i < all.length) {
      const last = items[items.length - 1];
      continueToken = encodeContinue(rv, last.namespace, last.name);
      if (!opts.match) remainingItemCount = all.length - i;
    }
    return { items, resourceVersion: String(rv), continueToken, remainingItemCount };
  }

  async watch(t: ResourceType, fromRv: number | undefined, opts: WatchOptions = {}): Promise<Watcher> {
    if (fromRv === undefined || fromRv === 0) await this.sync();
    else if (fromRv > this.cache.rv) this.poll();
    return this.cache.watch(resourceKey(t), fromRv, { ...opts, namespace: t.namespaced ? opts.namespace : undefined });
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Runs `fn` in one transaction and commits its queued writes with consecutive versions.
   * Serialisation failures and deadlocks are retried; everything else propagates.
   *
   * A connection is taken, and BEGIN sent, with the first statement that needs one. A transaction that
   * read nothing (a create the cache says is new) holds no connection at all: its writes go to the group
   * commit, which puts the write-only transactions that arrive while another commit is in flight into one
   * statement, so they share one turn on the version counter's row lock and one WAL flush.
   */
  async transaction<T>(fn: (tx: WriteTx) => Promise<T>, opts: WriteOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(fn, opts);
      } catch (err) {
        const msg = (err as Error).message ?? '';
        if (attempt < 5 && /deadlock detected|could not serialize/.test(msg)) continue;
        throw err;
      }
    }
  }

  private async attempt<T>(fn: (tx: WriteTx) => Promise<T>, opts: WriteOptions): Promise<T> {
    let connecting: Promise<PoolClient> | undefined;
    let client: PoolClient | undefined;
    const query: Query = async <R>(sql: string, ...params: unknown[]) => {
      connecting ??= this.pool.connect().then(async (c) => {
        client = c;
        await c.query(BEGIN);
        return c;
      });
      return queryOn(await connecting)<R>(sql, ...params);
    };
    const tx = new WriteTx(query, opts.now ?? new Date(), this.opts.transformer);
    try {
      const result = await fn(tx);
      // Checked per transaction, before a group commit could share its statement with others (dry runs too,
      // so a dry run answers what the write would).
      assertStorable(tx.writes.map((w) => w.obj));
      let lastRv = 0;
      if (connecting) {
        const c = await connecting;
        if (opts.dryRun || tx.writes.length === 0) await c.query(opts.dryRun ? 'ROLLBACK' : 'COMMIT');
        else lastRv = await this.commit(c, tx.writes, '');
        c.release();
        client = undefined;
      } else if (!opts.dryRun && tx.writes.length > 0) {
        lastRv = this.opts.groupCommit === false ? await this.commitAlone(tx.writes) : await this.groupCommit(tx.writes);
      }
      if (lastRv) this.poll();
      return result;
    } catch (err) {
      if (connecting) await connecting.catch(() => undefined);
      const c = client;
      if (c)
        await c.query('ROLLBACK').then(
          () => c.release(),
          (e: Error) => c.release(e),
        );
      throw err;
    }
  }

  private readonly commitQueue: QueuedCommit[] = [];
  private committing = false;

  /** Commits `writes` with the other write-only transactions waiting at the time; resolves to their last version. */
  private groupCommit(writes: PendingWrite[]): Promise<number> {
    this.commitStats.grouped++;
    return new Promise((resolve, reject) => {
      this.commitQueue.push({ writes, resolve, reject });
      if (!this.committing) void this.drainCommits();
    });
  }

  private async drainCommits(): Promise<void> {
    this.committing = true;
    try {
      while (this.commitQueue.length > 0) await this.commitBatch(takeBatch(this.commitQueue));
    } finally {
      this.committing = false;
    }
  }

  /** Commits `writes` as a transaction of their own, in one round trip. */
  private commitAlone(writes: PendingWrite[]): Promise<number> {
    return this.withClient((c) => this.commit(c, writes, `${BEGIN};`));
  }

  /** commitWrites, counted in `commitStats`. */
  private async commit(c: PoolClient, writes: PendingWrite[], begin: string): Promise<number> {
    const rv = await commitWrites(c, writes, this.opts.transformer, begin);
    this.commitStats.commits++;
    this.commitStats.writes += writes.length;
    return rv;
  }

  private async commitBatch(batch: QueuedCommit[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.commitAlone(batch.flatMap((m) => m.writes));
        for (const m of batch) m.resolve(Number(m.writes[m.writes.length - 1].obj.metadata.resourceVersion));
        return;
      } catch {
        // One member's failure (a name taken meanwhile, say) fails the whole statement: commit each on its own,
        // so that each gets its own answer.
      }
    }
    await Promise.all(batch.map((m) => this.commitAlone(m.writes).then(m.resolve, m.reject)));
  }

  /** Runs `fn` on one pooled connection; on failure the transaction is rolled back, and a broken connection discarded. */
  private async withClient<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
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

  async create(t: ResourceType, obj: KubeObject, namespace: string, opts: WriteOptions = {}): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const named = !obj.metadata.name && obj.metadata.generateName ? withName(obj, obj.metadata.generateName + randomSuffix()) : obj;
      try {
        return await this.transaction((tx) => this.createIn(tx, t, named, namespace), opts);
      } catch (err) {
        // A generated name that collided: try another, as Kubernetes' clients would.
        if (err instanceof StoreError && err.reason === 'AlreadyExists' && named !== obj && attempt < 8) continue;
        throw err;
      }
    }
  }

  async createIn(tx: WriteTx, t: ResourceType, obj: KubeObject, namespace: string): Promise<KubeObject> {
    const ns = t.namespaced ? namespace : '';
    const name = obj.metadata.name;
    if (!name)
      throw new StoreError('Invalid', 'name or generateName is required', { kind: t.kind }, [
        { field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' },
      ]);
    if (this.cache.get(resourceKey(t), ns, name) && (await tx.read(t, ns, name))) throw alreadyExists(t.plural, t.group, name);
    const created = prepareCreate(t, obj, ns, tx.now);
    return tx.queue({ op: 'insert', type: 'ADDED', resource: resourceKey(t), namespace: ns, name, obj: created });
  }

  /**
   * Replaces an object. When `obj.metadata.resourceVersion` is set it must match the stored one
   * (optimistic concurrency, 409 otherwise). `subresource: 'status'` writes only status.
   */
  async update(t: ResourceType, obj: KubeObject, namespace: string, opts: WriteOptions & { subresource?: Subresource } = {}): Promise<KubeObject> {
    return this.transaction((tx) => this.updateIn(tx, t, obj, namespace, opts.subresource), opts);
  }

  async updateIn(tx: WriteTx, t: ResourceType, obj: KubeObject, namespace: string, sub?: Subresource): Promise<KubeObject> {
    const ns = t.namespaced ? namespace : '';
    const name = obj.metadata.name ?? '';
    const old = await tx.read(t, ns, name);
    if (!old) throw notFound(t.plural, t.group, name);
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(t.plural, t.group, name);
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw conflict(t.plural, t.group, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    const next = prepareUpdate(t, old, obj, sub);
    if (!next) return old;
    if (readyToRemove(t, next)) return tx.queue({ op: 'delete', type: 'DELETED', resource: resourceKey(t), namespace: ns, name, obj: next });
    return tx.queue({ op: 'update', type: 'MODIFIED', resource: resourceKey(t), namespace: ns, name, obj: next });
  }

  /**
   * Read-modify-write with retries on conflict: `mutate` gets the current object (a private copy)
   * and returns the desired one. Used for PATCH and by controllers.
   */
  async guaranteedUpdate(
    t: ResourceType,
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { subresource?: Subresource } = {},
  ): Promise<KubeObject> {
    return this.transaction(async (tx) => {
      const ns = t.namespaced ? namespace : '';
      const current = await tx.read(t, ns, name);
      if (!current) throw notFound(t.plural, t.group, name);
      const desired = await mutate(structuredClone(current));
      return this.updateIn(tx, t, desired, ns, opts.subresource);
    }, opts);
  }

  async delete(t: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    return this.transaction((tx) => this.deleteIn(tx, t, namespace, name, opts), opts);
  }

  async deleteIn(tx: WriteTx, t: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const ns = t.namespaced ? namespace : '';
    const obj = await tx.read(t, ns, name);
    if (!obj) throw notFound(t.plural, t.group, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(t.plural, t.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(
        t.plural,
        t.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
    const uid = obj.metadata.uid ?? '';
    const policy = opts.propagationPolicy ?? 'Background';
    const hasDependents = policy === 'Background' ? false : await tx.hasDependents(uid);
    if (policy === 'Orphan' && hasDependents) {
      // Orphaning is done here, in the same transaction: dependents simply lose their owner reference.
      for (const d of await tx.dependents(uid)) {
        const meta = { ...d.obj.metadata, ownerReferences: (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid) };
        if (meta.ownerReferences.length === 0) delete (meta as { ownerReferences?: unknown }).ownerReferences;
        tx.queue({
          op: 'update',
          type: 'MODIFIED',
          resource: d.resource,
          namespace: d.obj.metadata.namespace ?? '',
          name: d.obj.metadata.name ?? '',
          obj: { ...d.obj, metadata: meta },
        });
      }
    }
    const plan: DeletePlan = planDelete(t, obj, { propagationPolicy: policy, gracePeriodSeconds: opts.gracePeriodSeconds, hasDependents }, tx.now);
    if (plan.action === 'none') return { object: obj, removed: false };
    if (plan.action === 'remove') {
      tx.queue({ op: 'delete', type: 'DELETED', resource: resourceKey(t), namespace: ns, name, obj });
      return { object: obj, removed: true };
    }
    tx.queue({ op: 'update', type: 'MODIFIED', resource: resourceKey(t), namespace: ns, name, obj: plan.object });
    return { object: plan.object, removed: false };
  }

  // ---- maintenance -----------------------------------------------------------------------------

  /**
   * Drops change-log rows older than `keepSeconds`, always keeping the newest `keepMin`. Only one
   * process compacts at a time (advisory lock); watchers resuming from before get 410 Gone.
   */
  async compact(keepSeconds: number, keepMin = 1000): Promise<number> {
    return this.withClient(async (c) => {
      const q = queryOn(c);
      await c.query('BEGIN');
      const deleted = await (async () => {
        const locked = await q<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(727073) AS ok');
        if (!locked[0]?.ok) return 0;
        const bound = await q<{ rv: string | null }>(
          `SELECT max(resource_version)::text AS rv FROM changes
           WHERE created_at < now() - make_interval(secs => $1)
             AND resource_version <= (SELECT max(resource_version) - $2 FROM changes)`,
          keepSeconds,
          keepMin,
        );
        const upTo = bound[0]?.rv ? Number(bound[0].rv) : 0;
        if (!upTo) return 0;
        const del = await q<{ n: string }>('WITH d AS (DELETE FROM changes WHERE resource_version <= $1 RETURNING 1) SELECT count(*)::text AS n FROM d', upTo);
        await q("UPDATE store_counters SET value = GREATEST(value, $1) WHERE name = 'compacted' RETURNING value", upTo);
        return Number(del[0]?.n ?? 0);
      })();
      await c.query('COMMIT');
      return deleted;
    });
  }
}

function withName(obj: KubeObject, name: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, name } };
}

/**
 * Writes queued changes and commits, in one round trip: a single statement parses the rows, then takes
 * the versions from the counter row (its lock is held until commit, so commit order is version order),
 * writes objects and change log with the versions set in each body, and is followed by COMMIT in the
 * same message. No client round trip happens while the counter row is locked, so a busy writer process
 * never holds up every other writer. The rows travel as a dollar-quoted literal because a message with
 * several statements cannot carry parameters. `begin`, when set, opens the transaction in the same message
 * (nothing was read before it: a transaction that only writes is then a single round trip).
 */
async function commitWrites(c: PoolClient, writes: PendingWrite[], transformer: ValueTransformer | undefined, begin: string): Promise<number> {
  const n = writes.length;
  // Several writes to one object in a transaction (create then update, say) leave the objects table
  // with the last state only: the data-modifying statements below share one snapshot, so each key
  // gets exactly one insert, update or delete there, while the change log keeps every step.
  const first = new Map<string, PendingWrite['op']>();
  const lastIndex = new Map<string, number>();
  writes.forEach((w, i) => {
    const key = writeKey(w);
    if (!first.has(key)) first.set(key, w.op);
    lastIndex.set(key, i);
  });
  const applyOf = (w: PendingWrite, i: number): 'insert' | 'update' | 'delete' | 'none' => {
    const key = writeKey(w);
    if (lastIndex.get(key) !== i) return 'none';
    const began = first.get(key);
    if (began === 'insert') return w.op === 'delete' ? 'none' : 'insert';
    return w.op === 'delete' ? 'delete' : 'update';
  };
  const rows = writes.map((w, i) => {
    const idx = indexColumns(w.obj);
    return {
      i: i + 1,
      op: applyOf(w, i),
      type: w.type,
      resource: w.resource,
      namespace: w.namespace,
      name: w.name,
      uid: w.obj.metadata.uid,
      generation: w.obj.metadata.generation ?? 1,
      labels: w.obj.metadata.labels ?? {},
      node_name: idx.nodeName,
      phase: idx.phase,
      owner_uids: idx.ownerUids,
      deletion_timestamp: w.obj.metadata.deletionTimestamp ?? null,
      created_at: w.obj.metadata.creationTimestamp ?? new Date().toISOString(),
      body: transformer?.resources.has(w.resource) ? transformer.toStorage(w.obj) : w.obj,
    };
  });
  const rowsLiteral = dollarQuote(JSON.stringify(rows));
  let base: number;
  try {
    const results = (await c.query(
      `${begin}
       WITH r AS MATERIALIZED (
         SELECT * FROM jsonb_to_recordset(${rowsLiteral}::jsonb) AS r(i bigint, op text, type text, resource text, namespace text, name text, uid uuid,
           generation bigint, labels jsonb, node_name text, phase text, owner_uids text[], deletion_timestamp timestamptz, created_at timestamptz, body jsonb)
       ),
       c AS (
         UPDATE store_counters SET value = value + ${n} WHERE name = 'resource_version' AND EXISTS (SELECT 1 FROM r) RETURNING value - ${n} AS base
       ),
       v AS MATERIALIZED (
         SELECT r.*, c.base + r.i AS rv, jsonb_set(r.body, '{metadata,resourceVersion}', to_jsonb((c.base + r.i)::text)) AS vbody FROM r CROSS JOIN c
       ),
       ins AS (
         INSERT INTO objects (resource, namespace, name, uid, resource_version, generation, labels, node_name, phase, owner_uids, deletion_timestamp, created_at, body)
         SELECT resource, namespace, name, uid, rv, generation, labels, node_name, phase, owner_uids, deletion_timestamp, created_at, vbody FROM v WHERE op = 'insert'
         RETURNING 1
       ),
       upd AS (
         UPDATE objects o SET resource_version = v.rv, generation = v.generation, labels = v.labels, node_name = v.node_name, phase = v.phase,
           owner_uids = v.owner_uids, deletion_timestamp = v.deletion_timestamp, body = v.vbody
         FROM v WHERE v.op = 'update' AND o.resource = v.resource AND o.namespace = v.namespace AND o.name = v.name
         RETURNING 1
       ),
       del AS (
         DELETE FROM objects o USING v WHERE v.op = 'delete' AND o.resource = v.resource AND o.namespace = v.namespace AND o.name = v.name
         RETURNING 1
       ),
       chg AS (
         INSERT INTO changes (resource_version, resource, namespace, name, uid, type, object)
         SELECT rv, resource, namespace, name, uid, type, vbody FROM v
         RETURNING 1
       )
       SELECT (SELECT base FROM c)::text AS base, pg_notify('${CHANNEL}', ((SELECT base FROM c) + ${n})::text)::text AS notified,
         ((SELECT count(*) FROM ins) + (SELECT count(*) FROM upd) + (SELECT count(*) FROM del) + (SELECT count(*) FROM chg))::text AS n;
       COMMIT`,
    )) as unknown as { rows: { base: string }[] }[];
    base = Number(results[results.length - 2].rows[0].base); // the answers: [BEGIN, SET,] WITH, COMMIT
  } catch (err) {
    const msg = (err as Error).message ?? '';
    if (/duplicate key|23505/.test(msg)) {
      const w = writes.find((x) => x.op === 'insert');
      const [group, plural] = (w?.resource ?? 'core/objects').split('/');
      throw alreadyExists(plural, group === 'core' ? '' : group, w?.name ?? '');
    }
    throw err;
  }
  writes.forEach((w, i) => (w.obj.metadata = { ...w.obj.metadata, resourceVersion: String(base + 1 + i) }));
  return base + n;
}

/** A dollar-quoted SQL literal whose tag does not occur in the text, so nothing in it needs escaping. */
function dollarQuote(text: string): string {
  for (;;) {
    const tag = `$f${randomBytes(6).toString('hex')}$`;
    if (!text.includes(tag)) return `${tag}${text}${tag}`;
  }
}

function encodeContinue(rv: number, namespace: string, name: string): string {
  return Buffer.from(JSON.stringify({ v: 1, rv, ns: namespace, n: name })).toString('base64url');
}

export function decodeContinue(token: string): { namespace: string; name: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as { v?: number; ns?: unknown; n?: unknown };
    if (t.v === 1 && typeof t.ns === 'string' && typeof t.n === 'string') return { namespace: t.ns, name: t.n };
  } catch {
    /* fall through */
  }
  throw new StoreError('BadRequest', 'invalid continue token: list again without it');
}
