// Reads and row-locks many pods in one statement (a batch of binds or status writes would otherwise pay one
// round trip per pod inside its transaction).
import type { Pod } from '@flotilla/resources';
import type { WriteTx } from '@flotilla/store';

export async function lockPods(tx: WriteTx, keys: { namespace: string; name: string }[]): Promise<Map<string, Pod>> {
  const out = new Map<string, Pod>();
  if (keys.length === 0) return out;
  // A consistent lock order keeps two batches over the same pods from deadlocking.
  const rows = await tx.query<{ namespace: string; name: string; json: string }>(
    `SELECT o.namespace, o.name, o.body::text AS json FROM objects o
       JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON o.namespace = k.namespace AND o.name = k.name
      WHERE o.resource = 'core/pods' ORDER BY o.namespace, o.name FOR UPDATE OF o`,
    keys.map((k) => k.namespace),
    keys.map((k) => k.name),
  );
  for (const r of rows) out.set(`${r.namespace}/${r.name}`, JSON.parse(r.json) as Pod);
  return out;
}
