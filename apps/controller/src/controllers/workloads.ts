// The ReplicaSet, Deployment and Job workers: read from the cache, call the pure plan, apply its actions.
import { randomBytes } from 'node:crypto';
import { jobActiveTarget, planDeployment, planJob, planReplicaFailure, planReplicaSet } from '@flotilla/controllers';
import type { Deployment, Job, Pod, ReplicaSet } from '@flotilla/resources';
import { randomSuffix } from '@flotilla/store';
import type { ReconcileKey } from '@flotilla/queue';
import { applyActions } from '../apply-actions';
import type { ActiveGuard } from '../apply-actions';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R } from '../kinds';
import { allOf, controllerKey, keysOf, releasedBy, selfKey } from '../registration';
import type { QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

export function replicaSetReconciler(ctx: ControllerContext): Reconciler {
  const events = new EventRecorder(ctx.store, 'replicaset-controller', ctx.log);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const rs = ctx.store.cache.get(R.replicaSet, key.namespace, key.name)?.obj as ReplicaSet | undefined;
    if (!rs) return {};
    const uid = rs.metadata.uid ?? '';
    // Owned pods plus orphans (adoption candidates): everything planReplicaSet would claim from the namespace.
    const pods = [...ctx.index.dependentObjects<Pod>(uid, R.pod), ...ctx.index.orphanPodObjects<Pod>(key.namespace)];
    const actions = planReplicaSet(rs, pods, new Date(), () => randomSuffix());
    if (actions.length === 0) return {};
    const guard: ActiveGuard = {
      ownerKind: 'ReplicaSet',
      namespace: key.namespace,
      name: key.name,
      uid,
      target: (owner) => (owner ? (((owner.spec as { replicas?: number }).replicas ?? 1) as number) : 0),
    };
    const result = await applyActions({ ...ctx, events }, actions, guard);
    if (result.refused) {
      // The plan's status assumed its creates would succeed and was dropped; say why they did not instead.
      const failure = planReplicaFailure(rs, pods, new Date(), result.refused);
      if (failure.length) {
        const written = await applyActions({ ...ctx, events }, failure);
        result.conflict ||= written.conflict;
        result.failed ||= written.failed;
        result.lastRv = Math.max(result.lastRv, written.lastRv);
      }
    }
    return settle(ctx, result);
  };
}

export function deploymentReconciler(ctx: ControllerContext): Reconciler {
  const events = new EventRecorder(ctx.store, 'deployment-controller', ctx.log);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const d = ctx.store.cache.get(R.deployment, key.namespace, key.name)?.obj as Deployment | undefined;
    if (!d) return {};
    const replicaSets = ctx.store.cache.list(R.replicaSet, key.namespace).map((e) => e.obj as ReplicaSet);
    const mine = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid));
    // Pods matter to the plan only for Recreate (waiting for old pods to be gone).
    const pods = mine.flatMap((rs) => ctx.index.dependentObjects<Pod>(rs.metadata.uid ?? '', R.pod));
    const actions = planDeployment(d, replicaSets, pods, new Date());
    if (actions.length === 0) return {};
    return settle(ctx, await applyActions({ ...ctx, events }, actions));
  };
}

export function jobReconciler(ctx: ControllerContext): Reconciler {
  const events = new EventRecorder(ctx.store, 'job-controller', ctx.log);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const job = ctx.store.cache.get(R.job, key.namespace, key.name)?.obj as Job | undefined;
    if (!job) return {};
    const uid = job.metadata.uid ?? '';
    const pods = ctx.index.dependentObjects<Pod>(uid, R.pod);
    const actions = planJob(job, pods, new Date(), () => randomBytes(3).toString('hex').slice(0, 5));
    if (actions.length === 0) return {};
    const target = jobActiveTarget(job, pods, actions);
    const guard: ActiveGuard = { ownerKind: 'Job', namespace: key.namespace, name: key.name, uid, target: (owner) => (owner ? target : 0) };
    return settle(ctx, await applyActions({ ...ctx, events }, actions, guard));
  };
}

export const deploymentController: QueueControllerRegistration = {
  name: 'deployment-controller',
  queue: 'deployment',
  owns: [R.deployment, R.replicaSet],
  watches: {
    [R.deployment]: selfKey('Deployment'),
    [R.replicaSet]: allOf(
      function* (ic, view) {
        const owner = [...controllerKey(ic, 'Deployment')];
        // A ReplicaSet without a Deployment controller: any Deployment in its namespace may adopt it.
        yield* owner.length ? owner : keysOf(view, R.deployment, 'Deployment', ic.change.namespace);
      },
      releasedBy(R.deployment, 'Deployment'),
    ),
    [R.pod]: releasedBy(R.deployment, 'Deployment'),
  },
  resync: (view) => keysOf(view, R.deployment, 'Deployment'),
  reconciler: deploymentReconciler,
};

export const replicaSetController: QueueControllerRegistration = {
  name: 'replicaset-controller',
  queue: 'replicaset',
  owns: [R.replicaSet, R.pod],
  watches: {
    [R.replicaSet]: allOf(selfKey('ReplicaSet'), releasedBy(R.replicaSet, 'ReplicaSet')),
    [R.pod]: allOf(
      function* (ic, view) {
        const ref = ic.change.obj.metadata.ownerReferences?.find((r) => r.controller);
        if (ref) yield* controllerKey(ic, 'ReplicaSet');
        // An orphan: any ReplicaSet here may adopt it.
        else if (ic.change.type !== 'DELETED') yield* keysOf(view, R.replicaSet, 'ReplicaSet', ic.change.namespace);
      },
      releasedBy(R.replicaSet, 'ReplicaSet'),
    ),
  },
  resync: (view) => keysOf(view, R.replicaSet, 'ReplicaSet'),
  reconciler: replicaSetReconciler,
};

export const jobController: QueueControllerRegistration = {
  name: 'job-controller',
  queue: 'job',
  owns: [R.job, R.pod],
  watches: {
    [R.job]: selfKey('Job'),
    [R.pod]: allOf((ic) => controllerKey(ic, 'Job'), releasedBy(R.job, 'Job')),
  },
  resync: (view) => keysOf(view, R.job, 'Job'),
  reconciler: jobReconciler,
};
