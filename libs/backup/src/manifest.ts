// What a backup holds, measured inside the very snapshot pg_dump copies (pg_export_snapshot), so the
// restored copy must show exactly these numbers: objects per kind, the newest resourceVersion, and a
// sample of objects with a hash of their stored bytes.
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

export interface SampledObject {
  resource: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  sha256: string;
}

export interface Manifest {
  format: 1;
  createdAt: string;
  /** Objects per store key ("apps/deployments"). */
  counts: Record<string, number>;
  objects: number;
  /** The store's resource_version counter and the newest version an object carries. */
  resourceVersion: string;
  newestObjectResourceVersion: string;
  sample: SampledObject[];
  /** Files of the data directory in the backup (relative paths). */
  files: string[];
  /** Encryption key ids in the backed-up configuration (never the keys). */
  encryptionKeyIds: string[];
}

export type Measured = Omit<Manifest, 'format' | 'createdAt' | 'files' | 'encryptionKeyIds'>;

export async function measure(db: ClientBase, sampleSize: number): Promise<Measured> {
  const counts: Record<string, number> = {};
  for (const r of (await db.query<{ resource: string; n: string }>('SELECT resource, count(*)::text AS n FROM objects GROUP BY resource ORDER BY resource'))
    .rows)
    counts[r.resource] = Number(r.n);
  const rv = await db.query<{ counter: string | null; newest: string | null }>(
    "SELECT (SELECT value::text FROM store_counters WHERE name = 'resource_version') AS counter, (SELECT max(resource_version)::text FROM objects) AS newest",
  );
  // A random sample each time: over many backups every object gets compared.
  const sample = (
    await db.query<{ resource: string; namespace: string; name: string; uid: string; rv: string; body: string }>(
      'SELECT resource, namespace, name, uid::text AS uid, resource_version::text AS rv, body::text AS body FROM objects ORDER BY random() LIMIT $1',
      [sampleSize],
    )
  ).rows.map((r) => ({
    resource: r.resource,
    namespace: r.namespace,
    name: r.name,
    uid: r.uid,
    resourceVersion: r.rv,
    sha256: sha256(r.body),
  }));
  return {
    counts,
    objects: Object.values(counts).reduce((a, b) => a + b, 0),
    resourceVersion: rv.rows[0].counter ?? '0',
    newestObjectResourceVersion: rv.rows[0].newest ?? '0',
    sample,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The differences between what the backup promised and what its restore holds; empty when they agree. */
export async function compare(db: ClientBase, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const got = await measure(db, 0);
  for (const key of new Set([...Object.keys(manifest.counts), ...Object.keys(got.counts)])) {
    if ((manifest.counts[key] ?? 0) !== (got.counts[key] ?? 0))
      problems.push(`${key}: ${manifest.counts[key] ?? 0} objects backed up, ${got.counts[key] ?? 0} restored`);
  }
  if (got.resourceVersion !== manifest.resourceVersion)
    problems.push(`resourceVersion counter: ${manifest.resourceVersion} backed up, ${got.resourceVersion} restored`);
  if (got.newestObjectResourceVersion !== manifest.newestObjectResourceVersion)
    problems.push(`newest object resourceVersion: ${manifest.newestObjectResourceVersion} backed up, ${got.newestObjectResourceVersion} restored`);
  for (const s of manifest.sample) {
    const row = (
      await db.query<{ uid: string; rv: string; body: string }>(
        'SELECT uid::text AS uid, resource_version::text AS rv, body::text AS body FROM objects WHERE resource = $1 AND namespace = $2 AND name = $3',
        [s.resource, s.namespace, s.name],
      )
    ).rows[0];
    const what = `${s.resource} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
    if (!row) problems.push(`${what}: missing from the restore`);
    else if (row.uid !== s.uid || row.rv !== s.resourceVersion || sha256(row.body) !== s.sha256)
      problems.push(`${what}: restored bytes differ (uid ${row.uid}, resourceVersion ${row.rv})`);
  }
  return problems;
}
