// Pod facts the controllers share: readiness, availability, the deletion order, and claiming by owner reference.
import type { KubeObject, OwnerReference, Pod } from '@flotilla/resources';
import { clone, controllerRefOf, controllerRefTo, parseTime } from './actions';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp != null;
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Kubernetes' FilterActivePods: not terminating and not finished. */
export function isPodActive(pod: Pod): boolean {
  return !isTerminating(pod) && !isPodTerminal(pod);
}

/** When the pod last became Ready (epoch ms), if it is ready and says so. */
export function podReadySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c ? parseTime(c.lastTransitionTime) : undefined;
}

/**
 * Ready for at least minReadySeconds (strictly, as Kubernetes' IsPodAvailable). A ready pod without a
 * transition time counts as available only when minReadySeconds is 0.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now.getTime();
}

/** Milliseconds until a ready but not yet available pod becomes available; undefined if that will not happen by waiting. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  if (minReadySeconds <= 0 || !isPodReady(pod)) return undefined;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  const wait = since + minReadySeconds * 1000 - now.getTime() + 1;
  return wait > 0 ? wait : undefined;
}

export function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Later first; a missing time counts as the newest, as Kubernetes' afterOrZero. */
function newerFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

/**
 * Kubernetes' ActivePods ordering, least valuable first (the order a controller deletes in): unscheduled before
 * scheduled, Pending before Unknown before Running, not ready before ready, ready for less time before ready
 * for longer, more restarts before fewer, newer before older. Name breaks the remaining ties so the order is total.
 */
export function compareDeletionOrder(a: Pod, b: Pod): number {
  const assignedA = a.spec.nodeName ? 1 : 0;
  const assignedB = b.spec.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  if (readyA && readyB) {
    const byReady = newerFirst(podReadySince(a), podReadySince(b));
    if (byReady !== 0) return byReady;
  }
  const restarts = maxContainerRestarts(b) - maxContainerRestarts(a);
  if (restarts !== 0) return restarts;
  const byAge = newerFirst(parseTime(a.metadata.creationTimestamp), parseTime(b.metadata.creationTimestamp));
  if (byAge !== 0) return byAge;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '') || (a.metadata.uid ?? '').localeCompare(b.metadata.uid ?? '');
}

export interface Claim<T extends KubeObject> {
  /** Objects the owner controls after this sync, adopted ones in their updated form. */
  owned: T[];
  /** Orphans that match, with the owner's controller reference added. */
  adopted: T[];
  /** Objects the owner controlled that no longer match, with its reference removed. */
  released: T[];
}

/**
 * Kubernetes' ControllerRefManager: keep what we control and still match, release what we control but no longer
 * match, adopt matching orphans that are not being deleted. Objects controlled by someone else are left alone.
 */
export function claim<T extends KubeObject>(owner: KubeObject, candidates: T[], matches: (o: T) => boolean): Claim<T> {
  const result: Claim<T> = { owned: [], adopted: [], released: [] };
  const ownerUid = owner.metadata.uid;
  const namespace = owner.metadata.namespace;
  for (const obj of candidates) {
    if ((obj.metadata.namespace ?? namespace) !== namespace) continue;
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches(obj)) result.owned.push(obj);
      else result.released.push(withoutOwner(obj, ref.uid));
      continue;
    }
    if (!matches(obj) || isTerminating(obj)) continue;
    const adopted = withControllerRef(obj, owner);
    result.adopted.push(adopted);
    result.owned.push(adopted);
  }
  return result;
}

function withoutOwner<T extends KubeObject>(obj: T, uid: string): T {
  const copy = clone(obj);
  const refs = (copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  copy.metadata.ownerReferences = refs.length ? refs : undefined;
  return copy;
}

function withControllerRef<T extends KubeObject>(obj: T, owner: KubeObject): T {
  const copy = clone(obj);
  const ref: OwnerReference = controllerRefTo(owner);
  const others = (copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  copy.metadata.ownerReferences = [...others, ref];
  return copy;
}
