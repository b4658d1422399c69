// The garbage collector: ownerReferences cascade. A dependent whose owners are all gone is deleted (background
// propagation); dangling references next to a live owner are removed; an owner in foreground deletion has its
// dependents deleted (in foreground too), and loses its `foregroundDeletion` finalizer once none is left.
// (Orphan propagation is done by the store inline, in the owner's delete transaction.)
import type { KubeObject } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { StoreError } from '@flotilla/store';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { typeOfResource } from '../kinds';
import { errorText } from '@flotilla/log';
import type { ClusterIndex } from '../cluster-index';
import { ANY_RESOURCE } from '../registration';
import type { ClusterView, QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

export const FOREGROUND = 'foregroundDeletion';

/** GC keys carry the store resource in `kind`, with '~' for '/' (job ids keep '/' as their separator). */
export function gcKey(resource: string, namespace: string, name: string): ReconcileKey {
  return { kind: resource.replace('/', '~'), namespace, name };
}

export function resourceOfGcKey(key: ReconcileKey): string {
  return key.kind.replace('~', '/');
}

function needsCollection(index: ClusterIndex, obj: KubeObject): boolean {
  if (obj.metadata.deletionTimestamp && obj.metadata.finalizers?.includes(FOREGROUND)) return true;
  const refs = obj.metadata.ownerReferences ?? [];
  return refs.some((r) => !index.uidExists(r.uid));
}

export function garbageCollector(ctx: ControllerContext): Reconciler {
  // The cache may lag; the database decides that an owner is really gone before anything is deleted.
  const ownersExist = (uids: string[]): Promise<Set<string>> => ctx.store.existingUids(uids);

  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const resource = resourceOfGcKey(key);
    const t = typeOfResource(resource);
    const entry = ctx.store.cache.get(resource, key.namespace, key.name);
    if (!t || !entry) return {};
    const obj = entry.obj;
    const uid = obj.metadata.uid ?? '';

    // An owner waiting for its dependents (foreground deletion).
    if (obj.metadata.deletionTimestamp && obj.metadata.finalizers?.includes(FOREGROUND)) {
      const dependents = ctx.index.dependents(uid);
      let waiting = 0;
      for (const d of dependents) {
        const dt = typeOfResource(d.resource);
        const de = ctx.store.cache.get(d.resource, d.namespace, d.name);
        if (!dt || !de) continue;
        waiting++;
        if (de.obj.metadata.deletionTimestamp) continue;
        try {
          await ctx.store.delete(dt, d.namespace, d.name, { propagationPolicy: 'Foreground', preconditions: { uid: de.obj.metadata.uid } });
        } catch (err) {
          if (!(err instanceof StoreError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
        }
      }
      if (waiting > 0) return { requeueAfterMs: 1000 };
      try {
        const done = await ctx.store.transaction(async (tx) => {
          const current = await tx.read(t, key.namespace, key.name);
          if (!current || current.metadata.uid !== uid) return undefined;
          if (await tx.hasDependents(uid)) return 'wait' as const;
          const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
          return ctx.store.updateIn(
            tx,
            t,
            { ...current, metadata: { ...current.metadata, finalizers: finalizers.length ? finalizers : undefined } },
            key.namespace,
          );
        });
        if (done === 'wait') return { requeueAfterMs: 500 };
        return settle(ctx, { conflict: false, failed: false, lastRv: Number(done?.metadata.resourceVersion ?? 0) });
      } catch (err) {
        if (err instanceof StoreError && err.reason === 'Conflict') return { retry: true };
        throw err;
      }
    }

    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return {};
    const missing = refs.filter((r) => !ctx.index.uidExists(r.uid));
    const foregroundOwner = refs.some((r) => {
      const ref = ctx.index.refOfUid(r.uid);
      const owner = ref && ctx.store.cache.get(ref.resource, ref.namespace, ref.name);
      return owner?.obj.metadata.deletionTimestamp && owner.obj.metadata.finalizers?.includes(FOREGROUND);
    });
    if (missing.length === 0 && !foregroundOwner) return {};
    const alive = await ownersExist(refs.map((r) => r.uid));
    const gone = refs.filter((r) => !alive.has(r.uid));
    try {
      if (gone.length === refs.length || (foregroundOwner && !obj.metadata.deletionTimestamp)) {
        if (obj.metadata.deletionTimestamp) return {};
        await ctx.store.delete(t, key.namespace, key.name, {
          propagationPolicy: foregroundOwner ? 'Foreground' : 'Background',
          preconditions: { uid },
        });
        ctx.log.debug('garbage-collected', { resource, namespace: key.namespace, name: key.name });
        return {};
      }
      if (gone.length > 0) {
        const goneUids = new Set(gone.map((r) => r.uid));
        await ctx.store.guaranteedUpdate(t, key.namespace, key.name, (cur) => {
          if (cur.metadata.uid !== uid) return cur;
          const kept = (cur.metadata.ownerReferences ?? []).filter((r) => !goneUids.has(r.uid));
          return { ...cur, metadata: { ...cur.metadata, ownerReferences: kept.length ? kept : undefined } };
        });
      }
    } catch (err) {
      if (err instanceof StoreError && (err.reason === 'NotFound' || err.reason === 'Conflict')) return {};
      ctx.log.warn('garbage collection failed', { resource, name: key.name, error: errorText(err) });
      throw err;
    }
    return {};
  };
}

/** The key of the owner behind `uid` when it is in foreground deletion (it waits on its dependents). */
function* foregroundOwner(view: ClusterView, uid: string): Generator<ReconcileKey> {
  const ref = view.index.refOfUid(uid);
  const owner = ref && view.cache.get(ref.resource, ref.namespace, ref.name);
  if (ref && owner?.obj.metadata.finalizers?.includes(FOREGROUND)) yield gcKey(ref.resource, ref.namespace, ref.name);
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
      if (needsCollection(view.index, obj)) yield gcKey(c.resource, c.namespace, c.name);
      // A dependent started terminating: an owner in foreground deletion may be waiting on it.
      if (obj.metadata.deletionTimestamp) for (const r of obj.metadata.ownerReferences ?? []) yield* foregroundOwner(view, r.uid);
    },
  },
  resync: function* (view) {
    for (const ref of view.index.withOwners()) {
      const e = view.cache.get(ref.resource, ref.namespace, ref.name);
      if (e && needsCollection(view.index, e.obj)) yield gcKey(ref.resource, ref.namespace, ref.name);
    }
    for (const resource of view.cache.resources()) {
      for (const e of view.cache.list(resource)) {
        if (e.obj.metadata.deletionTimestamp && e.obj.metadata.finalizers?.includes(FOREGROUND)) yield gcKey(resource, e.namespace, e.name);
      }
    }
  },
  reconciler: garbageCollector,
};
