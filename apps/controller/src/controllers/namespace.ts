// The namespace worker: a Terminating namespace is emptied (every namespaced object of every served kind is
// deleted), its status conditions say what is left, and once nothing is left the `kubernetes` finalizer is
// cleared through the finalize subresource, which removes the namespace.
import { resourceTypes } from '@flotilla/resources';
import type { Condition, Namespace } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { StoreError, resourceKey, timestamp } from '@flotilla/store';
import type { ControllerContext } from '../context';
import { T } from '../kinds';
import { errorText } from '@flotilla/log';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

const NAMESPACED = resourceTypes.filter((t) => t.namespaced);

export function isTerminating(ns: Namespace): boolean {
  return ns.status?.phase === 'Terminating' || ns.metadata.deletionTimestamp !== undefined;
}

export function namespaceReconciler(ctx: ControllerContext): Reconciler {
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const ns = ctx.store.cache.get(resourceKey(T.namespace), '', key.name)?.obj as Namespace | undefined;
    if (!ns || !isTerminating(ns)) return {};
    const name = key.name;

    const remaining = new Map<string, number>();
    const withFinalizers = new Set<string>();
    let deleteFailures = 0;
    for (const t of NAMESPACED) {
      const entries = ctx.store.cache.list(resourceKey(t), name);
      if (entries.length === 0) continue;
      remaining.set(t.group ? `${t.plural}.${t.group}` : t.plural, entries.length);
      for (const e of entries) {
        if (e.obj.metadata.finalizers?.length) withFinalizers.add(e.obj.metadata.finalizers.join(','));
        if (e.obj.metadata.deletionTimestamp) continue;
        try {
          await ctx.store.delete(t, name, e.name, { propagationPolicy: 'Background', preconditions: { uid: e.obj.metadata.uid } });
        } catch (err) {
          if (err instanceof StoreError && (err.reason === 'NotFound' || err.reason === 'Conflict')) continue;
          deleteFailures++;
          ctx.log.warn('namespace cleanup: delete failed', { namespace: name, kind: t.kind, name: e.name, error: errorText(err) });
        }
      }
    }

    const now = timestamp(new Date());
    const cond = (type: string, status: boolean, reason: string, message: string): Condition => ({
      type,
      status: status ? 'True' : 'False',
      lastTransitionTime: now,
      reason,
      message,
    });
    const contentLeft = [...remaining.entries()].map(([k, n]) => `${k} has ${n} resource instances`).sort();
    const conditions: Condition[] = [
      cond('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      deleteFailures
        ? cond('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete ${deleteFailures} resources`)
        : cond('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      contentLeft.length
        ? cond('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${contentLeft.join(', ')}`)
        : cond('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
      withFinalizers.size
        ? cond(
            'NamespaceFinalizersRemaining',
            true,
            'SomeFinalizersRemain',
            `Some content in the namespace has finalizers remaining: ${[...withFinalizers].sort().join(', ')}`,
          )
        : cond('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
    await writeConditions(ctx, ns, conditions);

    if (remaining.size > 0) return { requeueAfterMs: 1000 };

    // Empty as far as the cache knows: the database confirms under the namespace's row lock, then finalizes.
    try {
      const finalized = await ctx.store.transaction(async (tx) => {
        const current = (await tx.read(T.namespace, '', name)) as Namespace | undefined;
        if (!current || current.metadata.uid !== ns.metadata.uid) return 'gone' as const;
        if (await tx.namespaceHasObjects(name)) return 'wait' as const;
        const finalizers = (current.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
        await ctx.store.updateIn(tx, T.namespace, { ...current, spec: { ...current.spec, finalizers } }, '', 'finalize');
        return 'done' as const;
      });
      if (finalized === 'wait') return { requeueAfterMs: 500 };
      if (finalized === 'done') ctx.log.info('namespace emptied and finalized', { namespace: name });
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'Conflict') return { retry: true };
      throw err;
    }
    return {};
  };
}

async function writeConditions(ctx: ControllerContext, ns: Namespace, conditions: Condition[]): Promise<void> {
  const current = ns.status?.conditions ?? [];
  const same = (a: Condition, b: Condition | undefined) => b !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;
  if (
    conditions.every((c) =>
      same(
        c,
        current.find((x) => x.type === c.type),
      ),
    )
  )
    return;
  const merged = conditions.map((c) => {
    const old = current.find((x) => x.type === c.type);
    return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  try {
    await ctx.store.update(T.namespace, { ...ns, status: { ...ns.status, conditions: merged } }, '', { subresource: 'status' });
  } catch (err) {
    if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
  }
}
