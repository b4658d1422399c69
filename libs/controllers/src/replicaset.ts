// ReplicaSet control loop: keep spec.replicas active pods that match the selector, and report what is there.
import { labelSelectorMatches } from '@flotilla/resources';
import type { Condition, Pod, ReplicaSet, ReplicaSetStatus } from '@flotilla/resources';
import { BURST_REPLICAS, clone, controllerRefTo, deleteAction, eventFor, formatTime, semanticEqual, slowStartBatch } from './actions';
import type { Action } from './actions';
import { claim, compareDeletionOrder, isPodActive, isPodAvailable, isPodReady, isPodTerminal, isTerminating, msUntilAvailable } from './pods';

/**
 * Plans one sync of a ReplicaSet from every pod in its namespace. Claims pods (adopt matching orphans, release
 * owned pods that stopped matching), deletes finished pods so they are replaced, creates or deletes pods to reach
 * spec.replicas (at most 500 per sync, creates in slow-start batches), and writes the status the cluster will
 * have once these actions are applied.
 */
export function planReplicaSet(rs: ReplicaSet, pods: Pod[], now: Date, newName: () => string): Action[] {
  if (isTerminating(rs)) return [];
  const actions: Action[] = [];
  const name = rs.metadata.name ?? '';

  const claimed = claim(rs, pods, (p) => labelSelectorMatches(rs.spec.selector, p.metadata.labels));
  for (const p of claimed.adopted) actions.push({ type: 'update', object: p });
  for (const p of claimed.released) actions.push({ type: 'update', object: p });

  // Finished pods are not replicas; delete them so the slot is refilled and they do not pile up.
  for (const p of claimed.owned) {
    if (isTerminating(p) || !isPodTerminal(p)) continue;
    actions.push(deleteAction(p));
    actions.push(eventFor(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`));
  }

  let active = claimed.owned.filter(isPodActive);
  const desired = rs.spec.replicas ?? 1;
  const diff = active.length - desired;

  if (diff < 0) {
    const taken = new Set(pods.map((p) => p.metadata.name));
    const count = Math.min(-diff, BURST_REPLICAS);
    const created: Pod[] = [];
    for (let i = 0; i < count; i++) {
      const pod = podFromTemplate(rs, uniqueName(name, newName, taken));
      created.push(pod);
      actions.push({ type: 'create', object: pod, batch: slowStartBatch(i) });
      actions.push(eventFor(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`));
    }
    active = [...active, ...created];
  } else if (diff > 0) {
    const victims = [...active].sort(compareDeletionOrder).slice(0, Math.min(diff, BURST_REPLICAS));
    for (const p of victims) {
      actions.push(deleteAction(p));
      actions.push(eventFor(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`));
    }
    const gone = new Set(victims);
    active = active.filter((p) => !gone.has(p));
  }

  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  const status = replicaSetStatus(rs, active, now);
  if (!sameReplicaSetStatus(rs.status, status)) {
    actions.push({ type: 'updateStatus', object: { ...clone(rs), status } });
  }

  const waits = active.map((p) => msUntilAvailable(p, minReadySeconds, now)).filter((ms): ms is number => ms !== undefined);
  if (waits.length) actions.push({ type: 'requeueAfter', ms: Math.min(...waits) });
  return actions;
}

/** The condition a ReplicaSet carries while the pods it creates are refused (quota, LimitRange, Pod Security). */
export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * The status write after admission refused one of this sync's creates (`message`: the FailedCreate text), as
 * Kubernetes' calculateStatus with a manageReplicas error: counts over the pods observed before the sync and a
 * ReplicaFailure condition. An existing condition is kept as it is: each refusal names a fresh pod, and
 * rewriting the message every retry would churn the status (and every watcher) for nothing.
 */
export function planReplicaFailure(rs: ReplicaSet, pods: Pod[], now: Date, message: string): Action[] {
  if (isTerminating(rs)) return [];
  const owned = claim(rs, pods, (p) => labelSelectorMatches(rs.spec.selector, p.metadata.labels)).owned;
  const status = replicaSetStatus(rs, owned.filter(isPodActive), now);
  const failure: Condition = rs.status?.conditions?.find((c) => c.type === REPLICA_FAILURE) ?? {
    type: REPLICA_FAILURE,
    status: 'True',
    lastTransitionTime: formatTime(now),
    reason: 'FailedCreate',
    message,
  };
  status.conditions = [...(status.conditions ?? []), failure];
  if (sameReplicaSetStatus(rs.status, status)) return [];
  return [{ type: 'updateStatus', object: { ...clone(rs), status } }];
}

/**
 * Status as Kubernetes' calculateStatus computes it, over the active pods the ReplicaSet owns. It describes a
 * sync whose creates succeed (a plan's status is dropped when one fails), so a ReplicaFailure goes.
 */
export function replicaSetStatus(rs: ReplicaSet, active: Pod[], now: Date): ReplicaSetStatus {
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  const fullyLabeled = active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
    observedGeneration: rs.metadata.generation,
  };
  const kept = (rs.status?.conditions ?? []).filter((c) => c.type !== REPLICA_FAILURE);
  if (kept.length) status.conditions = kept;
  return status;
}

/** Zero counts are omitted on the wire, so absent and 0 mean the same. */
function sameReplicaSetStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const norm = (s: ReplicaSetStatus | undefined) => ({
    replicas: s?.replicas ?? 0,
    fullyLabeledReplicas: s?.fullyLabeledReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    observedGeneration: s?.observedGeneration,
    conditions: s?.conditions?.length ? s.conditions : undefined,
  });
  return semanticEqual(norm(a), norm(b));
}

function uniqueName(prefix: string, newName: () => string, taken: Set<string | undefined>): string {
  for (let attempt = 0; attempt < 16; attempt++) {
    const candidate = `${prefix}-${newName()}`;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  throw new Error(`newName() kept returning names already used by pods of ${prefix}; it must return fresh suffixes`);
}

/** Kubernetes' GetPodFromTemplate: the template's labels, annotations, finalizers and spec, plus the owner. */
function podFromTemplate(rs: ReplicaSet, name: string): Pod {
  const t = rs.spec.template;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: rs.metadata.namespace,
      labels: { ...t.metadata?.labels },
      ownerReferences: [controllerRefTo(rs)],
    },
    spec: clone(t.spec),
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) pod.metadata.finalizers = [...t.metadata.finalizers];
  return pod;
}
