// The write transaction: what it reads (row-locked, decoded), the questions other layers ask inside it
// (quota usage, NodePorts taken, a controller's live pods), the writes it queues, and the one statement
// that commits them.
//
// Ordering: the commit takes its versions from the `store_counters` row *last*, holding that row lock until
// commit, so commit order equals version order and a reader of the log that has seen version N has seen
// everything below N (no skipped or reordered change, DESIGN.md).
import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { KubeObject, Pod, ResourceType } from '@flotilla/resources';
import type { ChangeType } from './cache';
import { alreadyExists } from './errors';
import { resourceKey } from './keys';
import { indexColumns } from './lifecycle';
import { CHANNEL, decodeRow, Query, ValueTransformer } from './sql';

export interface PendingWrite {
  op: 'insert' | 'update' | 'delete';
  type: ChangeType;
  resource: string;
  namespace: string;
  name: string;
  obj: KubeObject;
}

/** The object a write is to: one statement keeps one row per key. */
export function writeKey(w: Pick<PendingWrite, 'resource' | 'namespace' | 'name'>): string {
  return `${w.resource}\0${w.namespace}\0${w.name}`;
}

/** What the `objects` table gets for each write of a transaction (the change log gets every write). */
export type TableOp = 'insert' | 'update' | 'delete' | 'none';

/**
 * Several writes to one object in a transaction (create then update, say) leave the objects table with the
 * last state only: the data-modifying statements of the commit share one snapshot, so each key gets exactly
 * one insert, update or delete there — at its last write, shaped by how the transaction found the row (an
 * insert first means there was none: a later delete leaves nothing to do).
 */
export function tableOps(writes: readonly Pick<PendingWrite, 'op' | 'resource' | 'namespace' | 'name'>[]): TableOp[] {
  const first = new Map<string, PendingWrite['op']>();
  const lastIndex = new Map<string, number>();
  writes.forEach((w, i) => {
    const key = writeKey(w);
    if (!first.has(key)) first.set(key, w.op);
    lastIndex.set(key, i);
  });
  return writes.map((w, i) => {
    const key = writeKey(w);
    if (lastIndex.get(key) !== i) return 'none';
    if (first.get(key) === 'insert') return w.op === 'delete' ? 'none' : 'insert';
    return w.op === 'delete' ? 'delete' : 'update';
  });
}

interface Row {
  json: string;
}

/** Pods that hold quota and count as a controller's replicas: not finished. */
const NOT_FINISHED = "(phase IS NULL OR phase NOT IN ('Succeeded','Failed'))";

// The owner's uid alone picks its pods (the GIN index on owner_uids: a few hundred entries at most). The
// fence (OFFSET 0) keeps the planner from also scanning the primary key for the namespace, as it does when the
// table's statistics are stale (a burst into a young table): that BitmapAnd read every pod of the namespace,
// 34,000 index entries and 8 ms per call in the scheduler benchmark, against 0.1 ms this way.
const ACTIVE_OWNED_PODS = `SELECT count(*)::int AS n FROM (
    SELECT resource, namespace, phase, deletion_timestamp FROM objects WHERE owner_uids @> ARRAY[$2]::text[] OFFSET 0
  ) o WHERE resource = 'core/pods' AND namespace = $1 AND deletion_timestamp IS NULL AND coalesce(phase, '') NOT IN ('Succeeded', 'Failed')`;

/** The advisory lock NodePort allocation holds until its transaction ends. */
const NODEPORT_LOCK = 727074;

/** A transaction in progress: reads lock rows; writes are queued and committed together. */
export class WriteTx {
  readonly writes: PendingWrite[] = [];
  constructor(
    private readonly query: Query,
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

  /**
   * Reads and row-locks many pods in one statement (a batch of binds or status writes would otherwise pay one
   * round trip per pod), keyed `namespace/name`. Rows are locked in key order, so two batches over the same
   * pods cannot deadlock.
   */
  async lockPods(keys: { namespace: string; name: string }[]): Promise<Map<string, Pod>> {
    const out = new Map<string, Pod>();
    if (keys.length === 0) return out;
    const rows = await this.query<{ namespace: string; name: string; json: string }>(
      `SELECT o.namespace, o.name, o.body::text AS json FROM objects o
         JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON o.namespace = k.namespace AND o.name = k.name
        WHERE o.resource = 'core/pods' ORDER BY o.namespace, o.name FOR UPDATE OF o`,
      keys.map((k) => k.namespace),
      keys.map((k) => k.name),
    );
    for (const r of rows) out.set(`${r.namespace}/${r.name}`, decodeRow(this.transformer, 'core/pods', r.json).obj as Pod);
    return out;
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

  /** Whether a namespace still holds any object, as committed (the cache may lag behind). */
  async namespaceHasObjects(namespace: string): Promise<boolean> {
    const rows = await this.query('SELECT 1 FROM objects WHERE namespace = $1 LIMIT 1', namespace);
    return rows.length > 0;
  }

  /**
   * How many of an owner's pods in `namespace` are neither being deleted nor finished, as committed: a
   * controller's guard against creating one replica too many from a cache that has not seen its last write.
   */
  async countActivePodsOwnedBy(namespace: string, ownerUid: string): Promise<number> {
    const rows = await this.query<{ n: number }>(ACTIVE_OWNED_PODS, namespace, ownerUid);
    return Number(rows[0]?.n ?? 0);
  }

  /** How many objects of a resource ("core/services") a namespace holds against its quota; finished pods do not count. */
  async countForQuota(resource: string, namespace: string): Promise<number> {
    const rows = await this.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM objects WHERE resource = $1 AND namespace = $2${resource === 'core/pods' ? ` AND ${NOT_FINISHED}` : ''}`,
      resource,
      namespace,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The specs of a namespace's pods that hold compute quota (those not finished); undefined for a pod without one. */
  async podSpecsForQuota(namespace: string): Promise<unknown[]> {
    const rows = await this.query<{ spec: string | null }>(
      `SELECT (body->'spec')::text AS spec FROM objects WHERE resource = 'core/pods' AND namespace = $1 AND ${NOT_FINISHED}`,
      namespace,
    );
    return rows.map((r) => (r.spec ? (JSON.parse(r.spec) as unknown) : undefined));
  }

  /**
   * Every NodePort a stored Service holds. Taken under an advisory lock kept until this transaction ends, so
   * two transactions allocating ports never both see the same port free.
   */
  async allocatedNodePorts(): Promise<{ namespace: string; name: string; port: number }[]> {
    await this.query('SELECT pg_advisory_xact_lock($1)::text AS locked', NODEPORT_LOCK);
    return this.query<{ namespace: string; name: string; port: number }>(
      `SELECT namespace, name, (p->>'nodePort')::int AS port
         FROM objects, jsonb_array_elements(COALESCE(body->'spec'->'ports', '[]'::jsonb)) AS p
        WHERE resource = 'core/services' AND p->>'nodePort' IS NOT NULL`,
    );
  }

  queue(w: PendingWrite): KubeObject {
    this.writes.push(w);
    return w.obj;
  }
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
export async function commitWrites(c: PoolClient, writes: PendingWrite[], transformer: ValueTransformer | undefined, begin: string): Promise<number> {
  const n = writes.length;
  const ops = tableOps(writes);
  const rows = writes.map((w, i) => {
    const idx = indexColumns(w.obj);
    return {
      i: i + 1,
      op: ops[i],
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
export function dollarQuote(text: string): string {
  for (;;) {
    const tag = `$f${randomBytes(6).toString('hex')}$`;
    if (!text.includes(tag)) return `${tag}${text}${tag}`;
  }
}
