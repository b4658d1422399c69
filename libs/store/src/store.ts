// The object store: Postgres is the record, the change log is written in the same transaction as
// each object, and every process reads through its own watch cache fed from that log. The parts: the
// change-log follower (follower.ts) feeds the cache, the write transaction (write-tx.ts) reads, queues and
// commits, and the group commit (group-commit.ts) lets write-only transactions share one commit.
import type { Pool, PoolClient } from 'pg';
import type { KubeObject, ResourceType } from '@flotilla/resources';
import { Entry, WatchCache, Watcher, WatchOptions } from './cache';
import { createPool } from './db';
import { alreadyExists, conflict, notFound, StoreError } from './errors';
import { ChangeLogFollower } from './follower';
import { GroupCommit } from './group-commit';
import { resourceKey } from './keys';
import { DeletePlan, planDelete, prepareCreate, prepareUpdate, PropagationPolicy, randomSuffix, readyToRemove, Subresource } from './lifecycle';
import { BEGIN, Query, queryOn, ValueTransformer, withClient } from './sql';
import { assertStorable } from './storable';
import { commitWrites, PendingWrite, WriteTx } from './write-tx';

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
  /** Plain SQL on the pool (any connection). */
  private readonly sql: Query;
  private readonly follower: ChangeLogFollower;
  private readonly groupCommit: GroupCommit;

  private constructor(
    private readonly pool: Pool,
    private readonly opts: StoreOptions,
  ) {
    this.sql = queryOn(pool);
    this.cache = new WatchCache((resource, from, to) => this.follower.history(resource, from, to), opts.ringSize, opts.ringMaxBytes);
    this.follower = new ChangeLogFollower(pool, this.cache, {
      databaseUrl: opts.databaseUrl,
      transformer: opts.transformer,
      log: opts.log ?? (() => undefined),
    });
    this.groupCommit = new GroupCommit((writes) => this.commitAlone(writes));
  }

  static async open(opts: StoreOptions): Promise<Store> {
    const store = new Store(createPool(opts.databaseUrl, { maxConnections: opts.maxConnections }), opts);
    await store.follower.start(opts.pollIntervalMs ?? 1000);
    return store;
  }

  async close(): Promise<void> {
    this.cache.closeAll();
    await this.follower.close();
    await this.pool.end().catch(() => undefined);
  }

  /** Which of these uids belong to stored objects, read from the database (the cache may lag behind it). */
  async existingUids(uids: string[]): Promise<Set<string>> {
    const valid = uids.filter((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u));
    if (valid.length === 0) return new Set();
    const rows = await this.sql<{ uid: string }>('SELECT uid::text AS uid FROM objects WHERE uid = ANY($1::uuid[])', valid);
    return new Set(rows.map((r) => r.uid));
  }

  /** The latest committed version. */
  currentRv(): Promise<number> {
    return this.follower.currentRv();
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
              this.follower.poll();
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
      this.follower.poll();
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
    else if (fromRv > this.cache.rv) this.follower.poll();
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
        if (this.opts.groupCommit === false) lastRv = await this.commitAlone(tx.writes);
        else {
          this.commitStats.grouped++;
          lastRv = await this.groupCommit.submit(tx.writes);
        }
      }
      if (lastRv) this.follower.poll();
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

  /** Commits `writes` as a transaction of their own, in one round trip. */
  private commitAlone(writes: PendingWrite[]): Promise<number> {
    return withClient(this.pool, (c) => this.commit(c, writes, `${BEGIN};`));
  }

  /** commitWrites, counted in `commitStats`. */
  private async commit(c: PoolClient, writes: PendingWrite[], begin: string): Promise<number> {
    const rv = await commitWrites(c, writes, this.opts.transformer, begin);
    this.commitStats.commits++;
    this.commitStats.writes += writes.length;
    return rv;
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
    return withClient(this.pool, async (c) => {
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

  /**
   * Rewrites the stored form of a resource's rows in place, objects and change log alike, without new versions
   * (the objects are unchanged: a key rotation re-encrypting Secrets). `rewrite` gets each row as stored and
   * returns its new stored form, or undefined to leave it. One transaction, with every row it reads locked,
   * so a write racing the rewrite waits for it; a `rewrite` that throws rolls everything back.
   */
  async rewriteAtRest(
    resource: string,
    rewrite: (stored: KubeObject) => KubeObject | undefined,
    opts: { namespace?: string } = {},
  ): Promise<{ objects: number; changes: number }> {
    return withClient(this.pool, async (c) => {
      const q = queryOn(c);
      await c.query('BEGIN');
      // Each row is addressed by its ctid: it is locked (FOR UPDATE) and written once, so it cannot move meanwhile.
      const rewriteTable = async (table: 'objects' | 'changes', column: 'body' | 'object'): Promise<number> => {
        const rows = await q<{ at: string; json: string }>(
          `SELECT ctid::text AS at, ${column}::text AS json FROM ${table} WHERE resource = $1 AND ($2::text IS NULL OR namespace = $2) FOR UPDATE`,
          resource,
          opts.namespace ?? null,
        );
        let n = 0;
        for (const r of rows) {
          const next = rewrite(JSON.parse(r.json) as KubeObject);
          if (!next) continue;
          await q(`UPDATE ${table} SET ${column} = $1::jsonb WHERE ctid = $2::tid`, JSON.stringify(next), r.at);
          n++;
        }
        return n;
      };
      const objects = await rewriteTable('objects', 'body');
      const changes = await rewriteTable('changes', 'object');
      await c.query('COMMIT');
      return { objects, changes };
    });
  }
}

function withName(obj: KubeObject, name: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, name } };
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
