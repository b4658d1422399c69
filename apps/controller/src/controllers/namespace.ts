// The namespace worker's I/O: planNamespaceDeletion (@flotilla/controllers) decides what a Terminating
// namespace deletes, what its conditions say and when it is finalized; this worker lists the namespace's
// content from the cache, deletes, writes the conditions and, once the database agrees the namespace is empty,
// clears the `kubernetes` finalizer through the finalize subresource, which removes the namespace.
import {
  finalizedNamespace,
  isNamespaceTerminating,
  mergeNamespaceConditions,
  namespaceDeletionConditions,
  planNamespaceDeletion,
} from '@flotilla/controllers';
import { resourceTypes } from '@flotilla/resources';
import type { Condition, Namespace } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { StoreError, resourceKey } from '@flotilla/store';
import type { ControllerContext } from '../context';
import { R, T } from '../kinds';
import { errorText } from '@flotilla/log';
import { ANY_RESOURCE, reconcileKey } from '../registration';
import type { QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

const NAMESPACED = resourceTypes.filter((t) => t.namespaced);

export function namespaceReconciler(ctx: ControllerContext): Reconciler {
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const ns = ctx.store.cache.get(R.namespace, '', key.name)?.obj as Namespace | undefined;
    if (!ns) return {};
    const name = key.name;
    const contents = NAMESPACED.map((t) => ({
      type: t,
      resource: t.group ? `${t.plural}.${t.group}` : t.plural,
      objects: ctx.store.cache.list(resourceKey(t), name).map((e) => e.obj),
    }));
    const plan = planNamespaceDeletion(ns, contents);
    if (!plan) return {};

    let deleteFailures = 0;
    for (const { type: t, object: o } of plan.deletes) {
      try {
        await ctx.store.delete(t, name, o.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } });
      } catch (err) {
        if (err instanceof StoreError && (err.reason === 'NotFound' || err.reason === 'Conflict')) continue;
        deleteFailures++;
        ctx.log.warn('namespace cleanup: delete failed', { namespace: name, kind: t.kind, name: o.metadata.name, error: errorText(err) });
      }
    }
    await writeConditions(ctx, ns, namespaceDeletionConditions(plan, deleteFailures, new Date()));

    if (!plan.finalize) return { requeueAfterMs: plan.requeueAfterMs };
    try {
      const finalized = await finalizeIfEmpty(ctx, ns);
      if (finalized === 'wait') return { requeueAfterMs: 500 };
      if (finalized === 'done') ctx.log.info('namespace emptied and finalized', { namespace: name });
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'Conflict') return { retry: true };
      throw err;
    }
    return {};
  };
}

/** Empty as far as the cache knows: the database confirms under the namespace's row lock, then finalizes. */
async function finalizeIfEmpty(ctx: ControllerContext, ns: Namespace): Promise<'gone' | 'wait' | 'done'> {
  const name = ns.metadata.name ?? '';
  return ctx.store.transaction(async (tx) => {
    const current = (await tx.read(T.namespace, '', name)) as Namespace | undefined;
    if (!current || current.metadata.uid !== ns.metadata.uid) return 'gone' as const;
    if (await tx.namespaceHasObjects(name)) return 'wait' as const;
    await ctx.store.updateIn(tx, T.namespace, finalizedNamespace(current), '', 'finalize');
    return 'done' as const;
  });
}

async function writeConditions(ctx: ControllerContext, ns: Namespace, conditions: Condition[]): Promise<void> {
  const merged = mergeNamespaceConditions(ns.status?.conditions ?? [], conditions);
  if (!merged) return;
  try {
    await ctx.store.update(T.namespace, { ...ns, status: { ...ns.status, conditions: merged } }, '', { subresource: 'status' });
  } catch (err) {
    if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
  }
}

export const namespaceController: QueueControllerRegistration = {
  name: 'namespace-controller',
  queue: 'namespace',
  owns: [R.namespace],
  watches: {
    [R.namespace]: function* (ic) {
      if (ic.change.type !== 'DELETED' && isNamespaceTerminating(ic.change.obj as Namespace)) yield reconcileKey('Namespace', '', ic.change.name);
    },
    // Emptying a namespace makes progress with every deletion in it.
    [ANY_RESOURCE]: function* (ic, view) {
      const ns = ic.change.namespace;
      if (ic.change.type !== 'DELETED' || !ns) return;
      const nsObj = view.cache.get(R.namespace, '', ns)?.obj as Namespace | undefined;
      if (nsObj && isNamespaceTerminating(nsObj)) yield reconcileKey('Namespace', '', ns);
    },
  },
  resync: function* (view) {
    for (const e of view.cache.list(R.namespace)) if (isNamespaceTerminating(e.obj as Namespace)) yield reconcileKey('Namespace', '', e.name);
  },
  reconciler: namespaceReconciler,
};
