import type { Pod } from '@flotilla/resources';
import { planReplicaSet } from './replicaset';
import { T0, at, eventMessages, names, ofType, pod, replicaSet, writes } from './__fixtures__/builders';
import { Cluster } from './__fixtures__/cluster';

const deletedNames = (actions: ReturnType<typeof planReplicaSet>) => ofType(actions, 'delete').map((a) => a.name);

describe('planReplicaSet: creating and deleting pods', () => {
  it('creates the missing pods from the template, named <rs>-<suffix>, owned and unscheduled', () => {
    const rs = replicaSet('web-abc', { replicas: 3 });
    const actions = planReplicaSet(rs, [], T0, names());
    const created = ofType(actions, 'create').map((a) => a.object as Pod);
    expect(created.map((p) => p.metadata.name)).toEqual(['web-abc-aaaaa', 'web-abc-aaaab', 'web-abc-aaaac']);
    for (const p of created) {
      expect(p.metadata.namespace).toBe('default');
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(p.spec.nodeName).toBeUndefined();
      expect(p.spec.containers[0].image).toBe('nginx:1.25');
    }
    expect(eventMessages(actions)).toEqual([
      'SuccessfulCreate: Created pod: web-abc-aaaaa',
      'SuccessfulCreate: Created pod: web-abc-aaaab',
      'SuccessfulCreate: Created pod: web-abc-aaaac',
    ]);
  });

  it('creates in slow-start batches of 1, 2, 4, … and at most 500 per sync', () => {
    const rs = replicaSet('big', { replicas: 1000 });
    const creates = ofType(planReplicaSet(rs, [], T0, names()), 'create');
    expect(creates).toHaveLength(500);
    const sizes = new Map<number, number>();
    for (const c of creates) sizes.set(c.batch ?? -1, (sizes.get(c.batch ?? -1) ?? 0) + 1);
    expect([...sizes.values()]).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 245]);
  });

  it('skips a generated name that a pod already has', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const existing = pod('web-aaaaa', { owner: rs, ready: true });
    const created = ofType(planReplicaSet(rs, [existing], T0, names()), 'create').map((a) => a.object.metadata.name);
    expect(created).toEqual(['web-aaaab']);
  });

  it('deletes the least valuable pods first when there are too many', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const pods = [
      pod('old-ready', { owner: rs, ready: at(-5000), created: at(-9000) }),
      pod('young-ready', { owner: rs, ready: at(-100), created: at(-8000) }),
      pod('running-not-ready', { owner: rs, phase: 'Running', ready: false }),
      pod('unscheduled', { owner: rs, phase: 'Pending' }),
      pod('pending-on-node', { owner: rs, phase: 'Pending', nodeName: 'node-1' }),
      pod('unknown', { owner: rs, phase: 'Unknown', nodeName: 'node-1' }),
      pod('crashy-ready', { owner: rs, ready: at(-5000), created: at(-9000), restarts: 4 }),
    ];
    const actions = planReplicaSet(rs, pods, T0, names());
    expect(deletedNames(actions)).toEqual(['unscheduled', 'pending-on-node', 'unknown', 'running-not-ready', 'young-ready']);
    expect(eventMessages(actions)).toContain('SuccessfulDelete: Deleted pod: unscheduled');
  });

  it('among equally ready pods deletes the one with more restarts, then the newer one', () => {
    const rs = replicaSet('web', { replicas: 1 });
    const since = at(-600);
    const a = pod('older', { owner: rs, ready: since, created: at(-9000), restarts: 0 });
    const b = pod('newer', { owner: rs, ready: since, created: at(-8000), restarts: 0 });
    expect(deletedNames(planReplicaSet(rs, [a, b], T0, names()))).toEqual(['newer']);
    const c = pod('older-crashy', { owner: rs, ready: since, created: at(-9000), restarts: 2 });
    expect(deletedNames(planReplicaSet(rs, [c, b], T0, names()))).toEqual(['older-crashy']);
  });

  it('deletes failed pods and replaces them', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const ok = pod('ok', { owner: rs, ready: true });
    const failed = pod('failed', { owner: rs, phase: 'Failed', nodeName: 'node-1' });
    const actions = planReplicaSet(rs, [ok, failed], T0, names());
    expect(deletedNames(actions)).toEqual(['failed']);
    expect(ofType(actions, 'create')).toHaveLength(1);
    expect(ofType(actions, 'delete')[0].preconditionUid).toBe(failed.metadata.uid);
  });

  it('does not count terminating pods and does not delete them again', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const pods = [pod('a', { owner: rs, ready: true }), pod('going', { owner: rs, ready: true, deleting: true })];
    const actions = planReplicaSet(rs, pods, T0, names());
    expect(ofType(actions, 'create')).toHaveLength(1);
    expect(ofType(actions, 'delete')).toHaveLength(0);
  });

  it('does nothing for a ReplicaSet being deleted', () => {
    const rs = replicaSet('web', { replicas: 5, deleting: true });
    expect(planReplicaSet(rs, [pod('orphan')], T0, names())).toEqual([]);
  });
});

describe('planReplicaSet: ownership', () => {
  it('adopts matching orphans and counts them', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const orphan = pod('orphan', { ready: true });
    const actions = planReplicaSet(rs, [orphan, pod('mine', { owner: rs, ready: true })], T0, names());
    const updates = ofType(actions, 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0].object.metadata.name).toBe('orphan');
    expect(updates[0].object.metadata.resourceVersion).toBe(orphan.metadata.resourceVersion);
    expect(updates[0].object.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true })]);
    expect(ofType(actions, 'create')).toHaveLength(0);
  });

  it('leaves pods that do not match, are controlled by another owner, or are terminating', () => {
    const rs = replicaSet('web', { replicas: 0 });
    const other = replicaSet('other');
    const pods = [pod('db', { labels: { app: 'db' } }), pod('theirs', { owner: other }), pod('dying', { deleting: true })];
    expect(writes(planReplicaSet(rs, pods, T0, names())).filter((a) => a.type !== 'updateStatus')).toEqual([]);
  });

  it('releases owned pods whose labels no longer match, and replaces them', () => {
    const rs = replicaSet('web', { replicas: 1 });
    const relabelled = pod('debug-me', { owner: rs, ready: true, labels: { app: 'debug' } });
    const actions = planReplicaSet(rs, [relabelled], T0, names());
    const update = ofType(actions, 'update')[0];
    expect(update.object.metadata.name).toBe('debug-me');
    expect(update.object.metadata.ownerReferences).toBeUndefined();
    expect(ofType(actions, 'create')).toHaveLength(1);
  });
});

describe('planReplicaSet: status', () => {
  it('reports replicas, fully labelled, ready and available pods and the observed generation', () => {
    const rs = replicaSet('web', { replicas: 3, generation: 4 });
    const pods = [
      pod('a', { owner: rs, ready: true }),
      pod('b', { owner: rs, ready: true, labels: { app: 'web' } }),
      pod('c', { owner: rs, phase: 'Running', ready: false }),
    ];
    const status = ofType(planReplicaSet(rs, pods, T0, names()), 'updateStatus')[0].object.status;
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 4 });
  });

  it('counts a pod as available only after minReadySeconds and asks to be woken then', () => {
    const rs = replicaSet('web', { replicas: 2, minReadySeconds: 30 });
    const pods = [pod('long', { owner: rs, ready: at(-60) }), pod('just', { owner: rs, ready: at(-10) })];
    const actions = planReplicaSet(rs, pods, T0, names());
    expect(ofType(actions, 'updateStatus')[0].object.status).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
    expect(ofType(actions, 'requeueAfter')).toEqual([{ type: 'requeueAfter', ms: 20_001 }]);
    const later = planReplicaSet(rs, pods, at(21), names());
    expect(ofType(later, 'updateStatus')[0].object.status).toMatchObject({ availableReplicas: 2 });
  });

  it('describes the pods it is about to create, so applying the plan settles it', () => {
    const rs = replicaSet('web', { replicas: 2 });
    const status = ofType(planReplicaSet(rs, [], T0, names()), 'updateStatus')[0].object.status;
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 0, availableReplicas: 0 });
  });
});

describe('planReplicaSet: idempotence', () => {
  it('plans the same actions twice from the same state', () => {
    const rs = replicaSet('web', { replicas: 4 });
    const pods = [pod('orphan', { ready: true }), pod('x', { owner: rs, phase: 'Failed', nodeName: 'n' })];
    expect(planReplicaSet(rs, pods, T0, names())).toEqual(planReplicaSet(rs, pods, T0, names()));
  });

  it('plans nothing more once its actions are applied', () => {
    const rs = replicaSet('web', { replicas: 4 });
    const cluster = new Cluster([rs, pod('orphan', { ready: true }), pod('stray', { owner: rs, phase: 'Failed', nodeName: 'n' })]);
    const first = planReplicaSet(cluster.replicaSets()[0], cluster.pods(), T0, cluster.newName);
    expect(writes(first).length).toBeGreaterThan(0);
    cluster.apply(first);
    expect(planReplicaSet(cluster.replicaSets()[0], cluster.pods(), T0, cluster.newName)).toEqual([]);
    expect(cluster.pods()).toHaveLength(4);
  });
});
