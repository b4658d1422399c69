// The garbage collector's I/O: the ownerReferences cascade is decided by planGarbageCollection
// (@flotilla/controllers); this worker reads the cache for it, asks the database whether owners that look gone
// really are, and carries out the deletes and updates the plan asks for.
import {
  FOREGROUND_FINALIZER,
  inForegroundDeletion,
  needsCollection,
  planGarbageCollection,
  withoutForegroundFinalizer,
  withoutOwners,
} from '@flotilla/controllers';
import type { OwnershipView } from '@flotilla/controllers';
import type { ResourceType } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { StoreError } from '@flotilla/store';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { typeOfKind, typeOfResource } from '../kinds';
import { errorText } from '@flotilla/log';
import type { ObjectRef } from '../cluster-index';
import { ANY_RESOURCE } from '../registration';
import type { ClusterView, QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

/** GC keys carry the store resource in `kind`, with '~' for '/' (job ids keep '/' as their separator). */
export function gcKey(resource: string, namespace: string, name: string): ReconcileKey {
  return { kind: resource.replace('/', '~'), namespace, name };
}

export function resourceOfGcKey(key: ReconcileKey): string {
  return key.kind.replace('~', '/');
}

/** The cache's view of ownership, for the plan. */
function ownershipView(ctx: ControllerContext): OwnershipView {
  const get = (ref: ObjectRef | undefined) => (ref ? ctx.store.cache.get(ref.resource, ref.namespace, ref.name)?.obj : undefined);
  return {
    byUid: (uid) => get(ctx.index.refOfUid(uid)),
    dependentsOf: (uid) => ctx.index.dependents(uid).flatMap((d) => get(d) ?? []),
  };
}

const ignorable = (err: unknown, ...reasons: string[]) => err instanceof StoreError && reasons.includes(err.reason);

export function garbageCollector(ctx: ControllerContext): Reconciler {
  const view = ownershipView(ctx);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const resource = resourceOfGcKey(key);
    const t = typeOfResource(resource);
    const entry = ctx.store.cache.get(resource, key.namespace, key.name);
    if (!t || !entry) return {};
    const obj = entry.obj;
    const uid = obj.metadata.uid ?? '';

    let plan = planGarbageCollection(obj, view);
    if (plan.type === 'confirmOwners') plan = planGarbageCollection(obj, view, await ctx.store.existingUids(plan.uids));
    try {
      switch (plan.type) {
        case 'none':
        case 'confirmOwners':
          return {};
        case 'deleteDependents':
          for (const d of plan.dependents) {
            const dt = typeOfKind(d.kind);
            if (!dt) continue;
            try {
              await ctx.store.delete(dt, d.metadata.namespace ?? '', d.metadata.name ?? '', {
                propagationPolicy: 'Foreground',
                preconditions: { uid: d.metadata.uid },
              });
            } catch (err) {
              if (!ignorable(err, 'NotFound', 'Conflict')) throw err;
            }
          }
          return { requeueAfterMs: plan.requeueAfterMs };
        case 'removeForegroundFinalizer':
          return await removeForegroundFinalizer(ctx, t, key, uid);
        case 'delete':
          await ctx.store.delete(t, key.namespace, key.name, { propagationPolicy: plan.propagationPolicy, preconditions: { uid } });
          ctx.log.debug('garbage-collected', { resource, namespace: key.namespace, name: key.name });
          return {};
        case 'removeOwnerReferences': {
          const gone = new Set(plan.uids);
          await ctx.store.guaranteedUpdate(t, key.namespace, key.name, (cur) => (cur.metadata.uid === uid ? withoutOwners(cur, gone) : cur));
          return {};
        }
      }
    } catch (err) {
      if (plan.type === 'removeForegroundFinalizer' || plan.type === 'deleteDependents') throw err;
      if (ignorable(err, 'NotFound', 'Conflict')) return {};
      ctx.log.warn('garbage collection failed', { resource, name: key.name, error: errorText(err) });
      throw err;
    }
  };
}

/** The database confirms no dependent is left, under the owner's row lock, before the finalizer goes. */
async function removeForegroundFinalizer(ctx: ControllerContext, t: ResourceType, key: ReconcileKey, uid: string): Promise<ReconcileOutcome> {
  try {
    const done = await ctx.store.transaction(async (tx) => {
      const current = await tx.read(t, key.namespace, key.name);
      if (!current || current.metadata.uid !== uid) return undefined;
      if (await tx.hasDependents(uid)) return 'wait' as const;
      return ctx.store.updateIn(tx, t, withoutForegroundFinalizer(current), key.namespace);
    });
    if (done === 'wait') return { requeueAfterMs: 500 };
    return settle(ctx, { conflict: false, failed: false, lastRv: Number(done?.metadata.resourceVersion ?? 0) });
  } catch (err) {
    if (ignorable(err, 'Conflict')) return { retry: true };
    throw err;
  }
}

/** The key of the owner behind `uid` when it is in foreground deletion (it waits on its dependents). */
function* foregroundOwner(view: ClusterView, uid: string): Generator<ReconcileKey> {
  const ref = view.index.refOfUid(uid);
  const owner = ref && view.cache.get(ref.resource, ref.namespace, ref.name);
  if (ref && owner?.obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) yield gcKey(ref.resource, ref.namespace, ref.name);
}

export const garbageCollectorController: QueueControllerRegistration = {
  name: 'garbage-collector',
  queue: 'garbagecollector',
  owns: [],
  watches: {
    [ANY_RESOURCE]: function* (ic, view) {
      const { change: c } = ic;
      const obj = c.obj;
      if (c.type === 'DELETED') {
        // Its dependents may now be orphans; owners in foreground deletion may be waiting for it.
        for (const d of view.index.dependents(obj.metadata.uid ?? '')) yield gcKey(d.resource, d.namespace, d.name);
        for (const ownerUid of ic.prevOwners) yield* foregroundOwner(view, ownerUid);
        return;
      }
      if (needsCollection(obj, (uid) => view.index.uidExists(uid))) yield gcKey(c.resource, c.namespace, c.name);
      // A dependent started terminating: an owner in foreground deletion may be waiting on it.
      if (obj.metadata.deletionTimestamp) for (const r of obj.metadata.ownerReferences ?? []) yield* foregroundOwner(view, r.uid);
    },
  },
  resync: function* (view) {
    for (const ref of view.index.withOwners()) {
      const e = view.cache.get(ref.resource, ref.namespace, ref.name);
      if (e && needsCollection(e.obj, (uid) => view.index.uidExists(uid))) yield gcKey(ref.resource, ref.namespace, ref.name);
    }
    for (const resource of view.cache.resources()) {
      for (const e of view.cache.list(resource)) {
        if (inForegroundDeletion(e.obj)) yield gcKey(resource, e.namespace, e.name);
      }
    }
  },
  reconciler: garbageCollector,
};
