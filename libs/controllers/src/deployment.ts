// Deployment control loop: one ReplicaSet per pod template, rolled over by the RollingUpdate or Recreate strategy.
import { labelSelectorMatches } from '@flotilla/resources';
import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from '@flotilla/resources';
import { clone, controllerRefOf, controllerRefTo, deleteAction, eventFor, parseTime, semanticEqual } from './actions';
import type { Action } from './actions';
import {
  AVAILABLE,
  PROGRESSING,
  REASON_FOUND_NEW_RS,
  REASON_MIN_AVAILABLE,
  REASON_MIN_UNAVAILABLE,
  REASON_NEW_RS_AVAILABLE,
  REASON_NEW_RS_CREATED,
  REASON_PAUSED,
  REASON_RESUMED,
  REASON_RS_UPDATED,
  REASON_TIMED_OUT,
  REVISION_ANNOTATION,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  desiredReplicasAnnotation,
  getCondition,
  isRollingUpdate,
  maxReplicasAnnotation,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  progressDeadlineSeconds,
  removeCondition,
  revisionHistoryLimit,
  revisionOf,
  rsReplicas,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './deployment-util';
import { claim, isPodTerminal, isTerminating } from './pods';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash, templatesEqualIgnoringHash } from './pod-template-hash';
import { REPLICA_FAILURE } from './replicaset';

/**
 * Plans one sync of a Deployment from the ReplicaSets and pods of its namespace, following Kubernetes'
 * deployment controller (sync.go, rolling.go, recreate.go, progress.go):
 * - claims ReplicaSets by selector and controller reference;
 * - finds the ReplicaSet whose template equals the Deployment's (reusing an old one on rollback, with its
 *   revision raised) or creates `<name>-<pod-template-hash>`;
 * - when paused or only `spec.replicas` changed, scales proportionally; otherwise rolls out by strategy;
 * - deletes old, empty ReplicaSets beyond revisionHistoryLimit once the rollout is complete (or while paused);
 * - writes the revision annotation on the Deployment and its status and conditions.
 */
export function planDeployment(d: Deployment, replicaSets: ReplicaSet[], pods: Pod[], now: Date): Action[] {
  if (isTerminating(d)) return [];
  return new DeploymentSync(d, replicaSets, pods, now).run();
}

interface Split {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** Ordered by creation (a ReplicaSet not yet created is the newest), then name, as ReplicaSetsByCreationTimestamp. */
function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? Number.MAX_SAFE_INTEGER;
  const tb = parseTime(b.metadata.creationTimestamp) ?? Number.MAX_SAFE_INTEGER;
  return ta - tb || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number): number => rss.reduce((n, rs) => n + f(rs), 0);

/**
 * What a ReplicaSet can be counted on for when deciding to scale down: its reported available pods, but never
 * more than it has been asked to keep, so a scale-down this controller already made is not counted twice while
 * the ReplicaSet's own status catches up.
 */
const availableForDecisions = (rs: ReplicaSet): number => Math.min(rs.status?.availableReplicas ?? 0, rsReplicas(rs));

/** One sync on working copies; run() turns the differences from what was read into actions. */
class DeploymentSync {
  private readonly dep: Deployment;
  private readonly status: DeploymentStatus;
  /** Working copies of the ReplicaSets this Deployment controls, by uid (or name, for the one being created). */
  private readonly working = new Map<string, ReplicaSet>();
  private readonly originals = new Map<string, ReplicaSet>();
  private readonly writeOrder: string[] = [];
  private createdKey: string | undefined;
  private readonly extraWrites: Action[] = [];
  private readonly deletes: Action[] = [];
  private readonly events: Action[] = [];
  private requeueMs: number | undefined;

  constructor(
    private readonly original: Deployment,
    private readonly replicaSets: ReplicaSet[],
    private readonly pods: Pod[],
    private readonly now: Date,
  ) {
    this.dep = clone(original);
    this.status = clone(original.status ?? {});
  }

  run(): Action[] {
    const d = this.dep;
    const sel = d.spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.events.push(eventFor(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.'));
      return this.finish(this.original.status ?? {});
    }
    this.claimReplicaSets();
    this.checkPausedConditions();

    let split = this.splitAndSyncRevision(false);
    let status: DeploymentStatus;
    if (d.spec.paused || this.isScalingEvent(split)) {
      this.scale(split);
      if (d.spec.paused) this.cleanup(split.oldRSs);
      status = this.calculateStatus(split);
    } else if (isRollingUpdate(d)) {
      split = this.splitAndSyncRevision(true);
      status = this.rolloutRolling(split);
    } else {
      status = this.rolloutRecreate(split);
    }
    return this.finish(status);
  }

  // ---- ReplicaSet bookkeeping ----------------------------------------------------------------

  private claimReplicaSets(): void {
    const d = this.dep;
    const claimed = claim(d, this.replicaSets, (rs) => labelSelectorMatches(d.spec.selector, rs.metadata.labels));
    const adopted = new Set(claimed.adopted);
    for (const rs of claimed.owned) {
      const key = rs.metadata.uid ?? rs.metadata.name ?? '';
      const before = adopted.has(rs) ? this.replicaSets.find((o) => o.metadata.uid === rs.metadata.uid) : rs;
      this.originals.set(key, before ?? rs);
      this.working.set(key, clone(rs));
      if (adopted.has(rs)) this.writeOrder.push(key);
    }
    for (const rs of claimed.released) this.extraWrites.push({ type: 'update', object: rs });
  }

  private keyOf(rs: ReplicaSet): string {
    return rs.metadata.uid ?? rs.metadata.name ?? '';
  }

  /** Marks a working copy as changed so run() writes it. */
  private touch(rs: ReplicaSet): void {
    const key = this.keyOf(rs);
    if (!this.writeOrder.includes(key)) this.writeOrder.push(key);
  }

  private all(): ReplicaSet[] {
    return [...this.working.values()];
  }

  /** Kubernetes' getAllReplicaSetsAndSyncRevision and getNewReplicaSet. */
  private splitAndSyncRevision(createIfMissing: boolean): Split {
    const d = this.dep;
    const sorted = this.all().sort(byCreation);
    let newRS = sorted.find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template));
    const oldRSs = sorted.filter((rs) => rs !== newRS);
    const newRevision = maxRevision(oldRSs) + 1;

    if (newRS) {
      const annotationsChanged = setNewReplicaSetAnnotations(d, newRS, newRevision, true);
      if (annotationsChanged || (newRS.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        newRS.spec.minReadySeconds = d.spec.minReadySeconds;
        this.touch(newRS);
      }
      this.setDeploymentRevision(newRS.metadata.annotations?.[REVISION_ANNOTATION]);
      if (progressDeadlineSeconds(d) !== undefined && !getCondition(this.status, PROGRESSING)) {
        setCondition(this.status, newCondition(PROGRESSING, 'True', REASON_FOUND_NEW_RS, `Found new replica set "${newRS.metadata.name}"`, this.now));
      }
      return { newRS, oldRSs };
    }
    if (!createIfMissing) return { newRS: undefined, oldRSs };

    newRS = this.newReplicaSet();
    newRS.spec.replicas = this.newRSNewReplicas([...oldRSs, newRS], newRS);
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    const key = newRS.metadata.name ?? '';
    this.working.set(key, newRS);
    this.createdKey = key;
    this.writeOrder.push(key);
    if (rsReplicas(newRS) > 0) {
      this.events.push(eventFor(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${key} from 0 to ${rsReplicas(newRS)}`));
    }
    this.setDeploymentRevision(String(newRevision));
    if (progressDeadlineSeconds(d) !== undefined) {
      setCondition(this.status, newCondition(PROGRESSING, 'True', REASON_NEW_RS_CREATED, `Created new replica set "${key}"`, this.now));
    }
    return { newRS, oldRSs };
  }

  /**
   * The ReplicaSet for the current template. If its name is taken by a ReplicaSet that is not ours or has another
   * template, count a collision and hash again, as Kubernetes does with status.collisionCount.
   */
  private newReplicaSet(): ReplicaSet {
    const d = this.dep;
    const name = d.metadata.name ?? '';
    let collisions = this.status.collisionCount ?? 0;
    let hash = podTemplateHash(d.spec.template, collisions);
    for (let tries = 0; tries < 100 && this.replicaSets.some((rs) => rs.metadata.name === `${name}-${hash}`); tries++) {
      collisions++;
      hash = podTemplateHash(d.spec.template, collisions);
    }
    if (collisions !== (this.status.collisionCount ?? 0)) this.status.collisionCount = collisions;

    const template = clone(d.spec.template);
    const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    template.metadata = { ...template.metadata, labels };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...labels },
        ownerReferences: [controllerRefTo(d)],
      },
      spec: { replicas: 0, selector, template },
    };
    if (d.spec.minReadySeconds) rs.spec.minReadySeconds = d.spec.minReadySeconds;
    return rs;
  }

  private setDeploymentRevision(revision: string | undefined): void {
    if (revision === undefined) return;
    const a = (this.dep.metadata.annotations ??= {});
    if (a[REVISION_ANNOTATION] !== revision) a[REVISION_ANNOTATION] = revision;
  }

  /** Kubernetes' scaleReplicaSetAndRecordEvent: nothing to do when the size is already right. */
  private scaleAndRecord(rs: ReplicaSet, to: number): boolean {
    if (rsReplicas(rs) === to) return false;
    return this.scaleReplicaSet(rs, to);
  }

  /** Sets the size and the replica annotations; true when the size changed. */
  private scaleReplicaSet(rs: ReplicaSet, to: number): boolean {
    const d = this.dep;
    const from = rsReplicas(rs);
    const sizeChanged = from !== to;
    rs.spec.replicas = to;
    const annotationsChanged = setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
    if (sizeChanged || annotationsChanged) this.touch(rs);
    if (sizeChanged) {
      const op = to > from ? 'up' : 'down';
      this.events.push(eventFor(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${from} to ${to}`));
    }
    return sizeChanged;
  }

  // ---- Pausing and scaling --------------------------------------------------------------------

  /** Kubernetes' checkPausedConditions: a paused (or just resumed) rollout says so in Progressing. */
  private checkPausedConditions(): void {
    const d = this.dep;
    if (progressDeadlineSeconds(d) === undefined) return;
    const cond = getCondition(this.status, PROGRESSING);
    if (cond?.reason === REASON_TIMED_OUT) return;
    const pausedNoted = cond?.reason === REASON_PAUSED;
    if (d.spec.paused && !pausedNoted) {
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', REASON_PAUSED, 'Deployment is paused', this.now));
    } else if (!d.spec.paused && pausedNoted) {
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', REASON_RESUMED, 'Deployment is resumed', this.now));
    }
  }

  /** spec.replicas changed since the active ReplicaSets were last sized (their desired-replicas annotation). */
  private isScalingEvent({ newRS, oldRSs }: Split): boolean {
    const desired = desiredReplicas(this.dep);
    return [...oldRSs, ...(newRS ? [newRS] : [])]
      .filter((rs) => rsReplicas(rs) > 0)
      .some((rs) => {
        const annotated = desiredReplicasAnnotation(rs);
        return annotated !== undefined && annotated !== desired;
      });
  }

  /**
   * Kubernetes' scale(): one active ReplicaSet takes the whole size; a saturated new one means old ones go to 0;
   * otherwise, during a rolling update, the change in (replicas + maxSurge) is spread over the active ReplicaSets
   * in proportion to their size, leftovers going to the largest.
   */
  private scale({ newRS, oldRSs }: Split): void {
    const d = this.dep;
    const desired = desiredReplicas(d);
    const target = this.activeOrLatest(newRS, oldRSs);
    if (target) {
      this.scaleAndRecord(target, desired);
      return;
    }
    if (newRS && this.isSaturated(newRS)) {
      for (const old of oldRSs.filter((rs) => rsReplicas(rs) > 0)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;

    const active = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => rsReplicas(rs) > 0);
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - sum(active, rsReplicas);
    if (toAdd > 0) active.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(b, a));
    else if (toAdd < 0) active.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(a, b));

    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of active) {
      const share = toAdd === 0 ? 0 : this.proportion(rs, toAdd, added);
      sizes.set(rs, rsReplicas(rs) + share);
      added += share;
    }
    active.forEach((rs, i) => {
      let size = sizes.get(rs) ?? rsReplicas(rs);
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      this.scaleReplicaSet(rs, size);
    });
  }

  private activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
    if (!newRS && oldRSs.length === 0) return undefined;
    const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
    const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter((rs) => rsReplicas(rs) > 0);
    if (active.length === 0) return newRS ?? newestFirst[0];
    return active.length === 1 ? active[0] : undefined;
  }

  private isSaturated(rs: ReplicaSet): boolean {
    const desired = desiredReplicas(this.dep);
    return desiredReplicasAnnotation(rs) === desired && rsReplicas(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
  }

  /** Kubernetes' GetReplicaSetProportion: this ReplicaSet's rounded share of toAdd, within what is left. */
  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    const d = this.dep;
    const size = rsReplicas(rs);
    if (size === 0 || toAdd === added) return 0;
    let fraction: number;
    if (desiredReplicas(d) === 0) {
      fraction = -size;
    } else {
      const maxNow = desiredReplicas(d) + maxSurge(d);
      let maxBefore = maxReplicasAnnotation(rs) ?? 0;
      if (maxBefore === 0) maxBefore = d.status?.replicas ?? 0;
      fraction = maxBefore === 0 ? 0 : Math.round((size * maxNow) / maxBefore) - size;
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  // ---- Strategies -----------------------------------------------------------------------------

  /** Kubernetes' NewRSNewReplicas: how far the new ReplicaSet may grow now. */
  private newRSNewReplicas(all: ReplicaSet[], newRS: ReplicaSet): number {
    const d = this.dep;
    const desired = desiredReplicas(d);
    if (!isRollingUpdate(d)) return desired;
    const maxTotal = desired + maxSurge(d);
    // Kubernetes sums the ReplicaSets' spec.replicas here. A ReplicaSet just scaled down still runs its extra
    // pods until its controller has removed them (status.replicas says how many it has): counting those too
    // keeps the pods that actually run within replicas + maxSurge, not only the specs.
    const current = sum(all, (rs) => Math.max(rsReplicas(rs), rs.status?.replicas ?? 0));
    if (current >= maxTotal) return rsReplicas(newRS);
    return rsReplicas(newRS) + Math.min(maxTotal - current, desired - rsReplicas(newRS));
  }

  private rolloutRolling(split: Split): DeploymentStatus {
    const d = this.dep;
    const newRS = split.newRS as ReplicaSet;
    const all = [...split.oldRSs, newRS];
    if (this.reconcileNewReplicaSet(all, newRS)) return this.rolloutStatus(split);
    if (
      this.reconcileOldReplicaSets(
        all,
        split.oldRSs.filter((rs) => rsReplicas(rs) > 0),
        newRS,
      )
    )
      return this.rolloutStatus(split);
    if (deploymentComplete(d, this.status)) this.cleanup(split.oldRSs);
    return this.rolloutStatus(split);
  }

  private reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet): boolean {
    const desired = desiredReplicas(this.dep);
    if (rsReplicas(newRS) === desired) return false;
    if (rsReplicas(newRS) > desired) return this.scaleAndRecord(newRS, desired);
    return this.scaleAndRecord(newRS, this.newRSNewReplicas(all, newRS));
  }

  /** Kubernetes' reconcileOldReplicaSets: scale old ReplicaSets down without dropping below replicas - maxUnavailable. */
  private reconcileOldReplicaSets(all: ReplicaSet[], oldActive: ReplicaSet[], newRS: ReplicaSet): boolean {
    const d = this.dep;
    if (sum(oldActive, rsReplicas) === 0) return false;
    const minAvailable = desiredReplicas(d) - maxUnavailable(d);
    const newUnavailable = rsReplicas(newRS) - availableForDecisions(newRS);
    const maxScaledDown = sum(all, rsReplicas) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = this.cleanupUnhealthyReplicas(oldActive, maxScaledDown);
    const scaledDown = this.scaleDownOldForRollingUpdate(all, oldActive, minAvailable);
    return cleaned + scaledDown > 0;
  }

  /** Unavailable old replicas go first: removing them costs no availability and unblocks a stuck rollout. */
  private cleanupUnhealthyReplicas(oldActive: ReplicaSet[], maxCleanup: number): number {
    let total = 0;
    for (const rs of [...oldActive].sort(byCreation)) {
      if (total >= maxCleanup) break;
      const size = rsReplicas(rs);
      const unhealthy = size - availableForDecisions(rs);
      if (size === 0 || unhealthy <= 0) continue;
      const count = Math.min(maxCleanup - total, unhealthy);
      this.scaleAndRecord(rs, size - count);
      total += count;
    }
    return total;
  }

  private scaleDownOldForRollingUpdate(all: ReplicaSet[], oldActive: ReplicaSet[], minAvailable: number): number {
    const available = sum(all, availableForDecisions);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const rs of [...oldActive].sort(byCreation)) {
      if (total >= budget) break;
      if (rsReplicas(rs) === 0) continue;
      const count = Math.min(rsReplicas(rs), budget - total);
      this.scaleAndRecord(rs, rsReplicas(rs) - count);
      total += count;
    }
    return total;
  }

  /** Kubernetes' rolloutRecreate: old ReplicaSets to 0, wait for their pods to be gone, then the new one. */
  private rolloutRecreate(split: Split): DeploymentStatus {
    const d = this.dep;
    let scaledDown = false;
    for (const rs of split.oldRSs) if (rsReplicas(rs) > 0 && this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown || this.oldPodsRunning(split)) return this.rolloutStatus(split);
    const next = split.newRS ? split : this.splitAndSyncRevision(true);
    this.scaleAndRecord(next.newRS as ReplicaSet, desiredReplicas(d));
    if (deploymentComplete(d, this.status)) this.cleanup(next.oldRSs);
    return this.rolloutStatus(next);
  }

  /** Any pod of an old ReplicaSet still counted, or still present and not finished (terminating ones included). */
  private oldPodsRunning({ newRS, oldRSs }: Split): boolean {
    if (sum(oldRSs, (rs) => rs.status?.replicas ?? 0) > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid).filter((u) => u !== undefined));
    if (newRS?.metadata.uid) oldUids.delete(newRS.metadata.uid);
    return this.pods.some((p) => {
      if (p.metadata.namespace !== this.dep.metadata.namespace) return false;
      const ref = controllerRefOf(p);
      return ref !== undefined && oldUids.has(ref.uid) && !isPodTerminal(p);
    });
  }

  /** Kubernetes' cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private cleanup(oldRSs: ReplicaSet[]): void {
    const limit = revisionHistoryLimit(this.dep);
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !isTerminating(rs) && rs.metadata.uid);
    const excess = cleanable.length - limit;
    if (excess <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, excess)) {
      const stale = (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0);
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || stale) continue;
      this.deletes.push(deleteAction(rs));
    }
  }

  // ---- Status ---------------------------------------------------------------------------------

  /** Kubernetes' calculateStatus, from the ReplicaSets' reported status and their (new) sizes. */
  private calculateStatus({ newRS, oldRSs }: Split): DeploymentStatus {
    const d = this.dep;
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, sum(all, rsReplicas) - available),
      conditions: [...(this.status.conditions ?? [])],
    };
    if (this.status.collisionCount !== undefined) status.collisionCount = this.status.collisionCount;
    if (available >= desiredReplicas(d) - maxUnavailable(d)) {
      setCondition(status, newCondition(AVAILABLE, 'True', REASON_MIN_AVAILABLE, 'Deployment has minimum availability.', this.now));
    } else {
      setCondition(status, newCondition(AVAILABLE, 'False', REASON_MIN_UNAVAILABLE, 'Deployment does not have minimum availability.', this.now));
    }
    return status;
  }

  /** Kubernetes' syncRolloutStatus: calculateStatus plus the Progressing condition and the progress deadline. */
  private rolloutStatus(split: Split): DeploymentStatus {
    const d = this.dep;
    const next = this.calculateStatus(split);
    surfaceReplicaFailure(next, split);
    const deadline = progressDeadlineSeconds(d);
    if (deadline === undefined) {
      removeCondition(next, PROGRESSING);
      return next;
    }
    const current = getCondition(this.status, PROGRESSING);
    const subject = split.newRS ? `ReplicaSet "${split.newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    const alreadyComplete = next.replicas === next.updatedReplicas && current?.reason === REASON_NEW_RS_AVAILABLE;
    if (!alreadyComplete) {
      if (deploymentComplete(d, next)) {
        setCondition(next, newCondition(PROGRESSING, 'True', REASON_NEW_RS_AVAILABLE, `${subject} has successfully progressed.`, this.now));
      } else if (deploymentProgressing(this.original, next)) {
        // Progress refreshes lastUpdateTime even with the same reason, which is what the deadline is measured from.
        const c = newCondition(PROGRESSING, 'True', REASON_RS_UPDATED, `${subject} is progressing.`, this.now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(next, PROGRESSING);
        setCondition(next, c);
      } else if (deploymentTimedOut(d, next, this.now)) {
        setCondition(next, newCondition(PROGRESSING, 'False', REASON_TIMED_OUT, `${subject} has timed out progressing.`, this.now));
      }
    }
    // Wake up when the deadline would pass without any other change to notice it.
    const cond = getCondition(next, PROGRESSING);
    const since = parseTime(cond?.lastUpdateTime);
    if (cond && since !== undefined && cond.reason !== REASON_TIMED_OUT && cond.reason !== REASON_NEW_RS_AVAILABLE && !deploymentComplete(d, next)) {
      this.requeueMs = Math.max(0, since + deadline * 1000 - this.now.getTime()) + 1000;
    }
    return next;
  }

  // ---- Output ---------------------------------------------------------------------------------

  private finish(status: DeploymentStatus): Action[] {
    const actions: Action[] = [];
    for (const key of this.writeOrder) {
      const rs = this.working.get(key);
      if (!rs) continue;
      if (key === this.createdKey) actions.push({ type: 'create', object: rs });
      else if (!semanticEqual(rs, this.originals.get(key))) actions.push({ type: 'update', object: rs });
    }
    actions.push(...this.extraWrites, ...this.deletes);

    const annotations = this.dep.metadata.annotations;
    const annotated: Deployment = { ...clone(this.original), metadata: { ...clone(this.original.metadata), annotations } };
    if (!semanticEqual(annotations ?? {}, this.original.metadata.annotations ?? {})) {
      actions.push({ type: 'update', object: annotated });
    }
    if (!sameDeploymentStatus(this.original.status, status)) {
      actions.push({ type: 'updateStatus', object: { ...clone(annotated), status } });
    }
    actions.push(...this.events);
    if (this.requeueMs !== undefined) actions.push({ type: 'requeueAfter', ms: this.requeueMs });
    return actions;
  }
}

/**
 * Kubernetes' getReplicaFailures: a ReplicaSet that cannot create its pods (quota, LimitRange, Pod Security)
 * says so on the Deployment, the new ReplicaSet's failure first; the condition goes once no ReplicaSet has one.
 */
function surfaceReplicaFailure(status: DeploymentStatus, { newRS, oldRSs }: Split): void {
  const failureOf = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const failure = failureOf(newRS) ?? oldRSs.map(failureOf).find((c) => c !== undefined);
  if (!failure) {
    removeCondition(status, REPLICA_FAILURE);
    return;
  }
  const since = failure.lastTransitionTime;
  setCondition(status, {
    type: REPLICA_FAILURE,
    status: failure.status,
    lastUpdateTime: since,
    lastTransitionTime: since,
    reason: failure.reason,
    message: failure.message,
  });
}

function sameDeploymentStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount ?? 0,
    conditions: s?.conditions ?? [],
  });
  return semanticEqual(norm(a), norm(b));
}
