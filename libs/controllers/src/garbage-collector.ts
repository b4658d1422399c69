// The garbage collector's decision for one object (Kubernetes' attemptToDeleteItem), pure. An owner in
// foreground deletion has its dependents deleted (in foreground too) and loses its `foregroundDeletion`
// finalizer once none is left; a dependent whose owners are all gone is deleted (background propagation, or
// foreground when an owner is being deleted that way); dangling references next to a live owner are removed.
// Orphan propagation is not here: the store clears the dependents' references inside the owner's delete.
//
// The cache may lag: before anything is deleted because an owner looks gone, the plan asks for the owners'
// existence as the database sees it (`confirmOwners`) and is run again with that answer.
import type { KubeObject } from '@flotilla/resources';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** What the collector reads: objects by uid and the dependents of an owner, as the cache sees them. */
export interface OwnershipView {
  byUid(uid: string): KubeObject | undefined;
  dependentsOf(ownerUid: string): KubeObject[];
}

export type GarbagePlan =
  | { type: 'none' }
  /** Foreground owner with dependents left: delete those not yet terminating, then look again in a while. */
  | { type: 'deleteDependents'; dependents: KubeObject[]; requeueAfterMs: number }
  /** Foreground owner with no dependent left in the cache: drop the finalizer (the database re-checks). */
  | { type: 'removeForegroundFinalizer' }
  /** Ask the database which of these owners exist, and plan again with the answer. */
  | { type: 'confirmOwners'; uids: string[] }
  | { type: 'delete'; propagationPolicy: 'Foreground' | 'Background' }
  /** Remove the references to these owners, which are gone while another owner lives. */
  | { type: 'removeOwnerReferences'; uids: string[] };

/** Dependents are looked at again this often while a foreground owner waits for them. */
export const FOREGROUND_WAIT_MS = 1000;

export function inForegroundDeletion(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp && obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER));
}

/** Whether the collector has anything to look at for this object (the dispatcher's and the resync's filter). */
export function needsCollection(obj: KubeObject, uidExists: (uid: string) => boolean): boolean {
  if (inForegroundDeletion(obj)) return true;
  return (obj.metadata.ownerReferences ?? []).some((r) => !uidExists(r.uid));
}

/**
 * `ownersAlive` is the database's answer to a previous `confirmOwners` (undefined before it was asked).
 */
export function planGarbageCollection(obj: KubeObject, view: OwnershipView, ownersAlive?: ReadonlySet<string>): GarbagePlan {
  if (inForegroundDeletion(obj)) {
    const dependents = view.dependentsOf(obj.metadata.uid ?? '');
    if (dependents.length === 0) return { type: 'removeForegroundFinalizer' };
    return { type: 'deleteDependents', dependents: dependents.filter((d) => !d.metadata.deletionTimestamp), requeueAfterMs: FOREGROUND_WAIT_MS };
  }

  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { type: 'none' };
  const missing = refs.filter((r) => !view.byUid(r.uid));
  const foregroundOwner = refs.some((r) => {
    const owner = view.byUid(r.uid);
    return owner !== undefined && inForegroundDeletion(owner);
  });
  if (missing.length === 0 && !foregroundOwner) return { type: 'none' };
  if (!ownersAlive) return { type: 'confirmOwners', uids: refs.map((r) => r.uid) };

  const gone = refs.filter((r) => !ownersAlive.has(r.uid));
  if (gone.length === refs.length || (foregroundOwner && !obj.metadata.deletionTimestamp)) {
    if (obj.metadata.deletionTimestamp) return { type: 'none' };
    return { type: 'delete', propagationPolicy: foregroundOwner ? 'Foreground' : 'Background' };
  }
  if (gone.length > 0) return { type: 'removeOwnerReferences', uids: gone.map((r) => r.uid) };
  return { type: 'none' };
}

/** The object without references to these owners (the update a `removeOwnerReferences` plan asks for). */
export function withoutOwners<T extends KubeObject>(obj: T, uids: ReadonlySet<string>): T {
  const kept = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: kept.length ? kept : undefined } };
}

/** The owner without its `foregroundDeletion` finalizer (the update a `removeForegroundFinalizer` plan asks for). */
export function withoutForegroundFinalizer<T extends KubeObject>(obj: T): T {
  const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND_FINALIZER);
  return { ...obj, metadata: { ...obj.metadata, finalizers: finalizers.length ? finalizers : undefined } };
}
