// Deployment arithmetic and annotations shared by the rollout strategies: surge/unavailable, revisions, conditions.
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '@flotilla/resources';
import { formatTime, parseTime } from './actions';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** Annotations a Deployment does not pass on to its ReplicaSets (they are per-ReplicaSet or client-side). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

const MAX_REVISION_HISTORY_CHARS = 2000;
const NO_LIMIT = 2147483647;

// Condition types and reasons, exactly as kubectl and the Kubernetes deployment controller spell them.
export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REASON_NEW_RS_CREATED = 'NewReplicaSetCreated';
export const REASON_FOUND_NEW_RS = 'FoundNewReplicaSet';
export const REASON_RS_UPDATED = 'ReplicaSetUpdated';
export const REASON_NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const REASON_TIMED_OUT = 'ProgressDeadlineExceeded';
export const REASON_PAUSED = 'DeploymentPaused';
export const REASON_RESUMED = 'DeploymentResumed';
export const REASON_MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const REASON_MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Kubernetes' GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value "${value}" for maxSurge/maxUnavailable: use an integer or a percentage like "25%"`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** Kubernetes' ResolveFenceposts: surge rounds up, unavailable down, and both 0 would deadlock so unavailable becomes 1. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) return { surge: 0, unavailable: 1 };
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired).unavailable, desired);
}

export function progressDeadlineSeconds(d: Deployment): number | undefined {
  const s = d.spec.progressDeadlineSeconds ?? 600;
  return s === NO_LIMIT ? undefined : s;
}

export function revisionHistoryLimit(d: Deployment): number | undefined {
  const n = d.spec.revisionHistoryLimit ?? 10;
  return n === NO_LIMIT ? undefined : n;
}

export function revisionOf(rs: ReplicaSet): number {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return Math.max(0, ...rss.map(revisionOf));
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/** Sets desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/**
 * Kubernetes' SetNewReplicaSetAnnotations: copy the Deployment's own annotations (change-cause among them), raise
 * the revision to newRevision if it is lower (remembering the previous one in revision-history, which is what a
 * rollback leaves behind), and for a ReplicaSet about to be created, the replica annotations. True when changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[REVISION_ANNOTATION];
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    oldRevisionInt = Number(oldRevision);
    if (!Number.isInteger(oldRevisionInt)) return changed;
  }
  if (oldRevisionInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) appendRevisionHistory(a, oldRevision);
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[REVISION_HISTORY_ANNOTATION];
  if (!history) {
    a[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  // Drop the oldest entries until the new one fits in the annotation's budget.
  const revisions = history.split(',');
  while (revisions.length && [...revisions, oldRevision].join(',').length > MAX_REVISION_HISTORY_CHARS) revisions.shift();
  a[REVISION_HISTORY_ANNOTATION] = [...revisions, oldRevision].join(',');
}

export function getCondition(status: DeploymentStatus, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: Date): Condition {
  const t = formatTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Kubernetes' SetDeploymentCondition: nothing changes when status and reason are the same; the transition time
 * is kept while the status stays the same.
 */
export function setCondition(status: DeploymentStatus, condition: Condition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** Every replica updated, present and available, and the current spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = desiredReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Kubernetes' DeploymentProgressing: more updated, fewer old, more ready or more available than last recorded. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const prev = d.status ?? {};
  const oldBefore = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const oldNow = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) ||
    oldNow < oldBefore ||
    (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0)
  );
}

/** Kubernetes' DeploymentTimedOut: no recorded progress for longer than progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: Date): boolean {
  const deadline = progressDeadlineSeconds(d);
  if (deadline === undefined) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  const from = parseTime(c.lastUpdateTime);
  return from !== undefined && from + deadline * 1000 < now.getTime();
}
