import type { Deployment, Pod, ReplicaSet } from '@flotilla/resources';
import { planDeployment } from './deployment';
import { resolveFenceposts } from './deployment-util';
import { podTemplateHash, templatesEqualIgnoringHash, templateWithoutHash } from './pod-template-hash';
import { T0, at, deployment, eventMessages, ofType, pod, replicaSet, template, writes } from './__fixtures__/builders';
import type { DeploymentFixture } from './__fixtures__/builders';
import { Cluster } from './__fixtures__/cluster';

const REVISION = 'deployment.kubernetes.io/revision';

/** A cluster where the Deployment has been created and fully rolled out. */
function rolledOut(f: DeploymentFixture = {}, name = 'web'): Cluster {
  const c = new Cluster([deployment(name, f)]);
  c.settle(name);
  return c;
}

const setImage = (c: Cluster, image: string, name = 'web') =>
  c.editDeployment(name, (d) => {
    d.spec.template.spec.containers[0].image = image;
  });

const rsByImage = (c: Cluster, image: string): ReplicaSet | undefined => c.replicaSets().find((rs) => rs.spec.template.spec.containers[0].image === image);

const podsOf = (c: Cluster, rs: ReplicaSet | undefined): Pod[] =>
  rs ? c.pods().filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid)) : [];

const availablePods = (c: Cluster) =>
  c.pods().filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));

const condition = (d: Deployment, type: string) => d.status?.conditions?.find((x) => x.type === type);

describe('planDeployment: the first ReplicaSet', () => {
  it('creates <name>-<pod-template-hash> with the hash label, selector, owner and annotations', () => {
    const d = deployment('web', { replicas: 3, annotations: { 'kubernetes.io/change-cause': 'kubectl create deployment web' } });
    const actions = planDeployment(d, [], [], T0);
    const [create] = ofType(actions, 'create');
    const rs = create.object as ReplicaSet;
    const hash = podTemplateHash(d.spec.template);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(rs.spec.template.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.replicas).toBe(3);
    expect(rs.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(rs.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'kubernetes.io/change-cause': 'kubectl create deployment web',
    });
    expect(eventMessages(actions)).toEqual([`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`]);
  });

  it('writes the revision on the Deployment and reports the new ReplicaSet in Progressing', () => {
    const d = deployment('web');
    const actions = planDeployment(d, [], [], T0);
    const [update] = ofType(actions, 'update');
    expect(update.object.metadata.annotations).toEqual({ [REVISION]: '1' });
    expect(update.object.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
    const status = (ofType(actions, 'updateStatus')[0].object as Deployment).status;
    expect(condition({ ...d, status }, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetCreated',
      message: `Created new replica set "web-${podTemplateHash(d.spec.template)}"`,
    });
    expect(status?.observedGeneration).toBe(1);
  });

  it('reaches the state kubectl rollout status calls successfully rolled out', () => {
    const c = rolledOut({ replicas: 3 });
    const d = c.deployment('web');
    expect(d.status).toMatchObject({
      observedGeneration: d.metadata.generation,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
    });
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(c.pods()).toHaveLength(3);
  });

  it('adopts a matching ReplicaSet that has no controller instead of creating one', () => {
    const d = deployment('web', { replicas: 2 });
    const hash = podTemplateHash(d.spec.template);
    const orphan = replicaSet(`web-${hash}`, {
      replicas: 2,
      labels: { app: 'web', 'pod-template-hash': hash },
      template: { ...d.spec.template, metadata: { labels: { app: 'web', 'pod-template-hash': hash } } },
      status: { replicas: 2, availableReplicas: 2, readyReplicas: 2, observedGeneration: 1 },
    });
    const actions = planDeployment(d, [orphan], [], T0);
    expect(ofType(actions, 'create')).toEqual([]);
    const adopted = ofType(actions, 'update').find((a) => a.object.kind === 'ReplicaSet');
    expect(adopted?.object.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: d.metadata.uid, controller: true })]);
  });

  it('does nothing for a Deployment being deleted', () => {
    const d = deployment('web');
    d.metadata.deletionTimestamp = '2024-05-01T11:00:00Z';
    expect(planDeployment(d, [], [], T0)).toEqual([]);
  });
});

describe('planDeployment: RollingUpdate', () => {
  it('keeps maxSurge and maxUnavailable during a rollout of 10 replicas at 25%/25%', () => {
    const c = rolledOut({ replicas: 10 });
    let maxPods = 0;
    let minAvailable = Infinity;
    c.afterApply = () => {
      maxPods = Math.max(maxPods, c.pods().length);
      minAvailable = Math.min(minAvailable, availablePods(c).length);
    };
    setImage(c, 'nginx:1.26');
    const passes = c.settle('web', 2);

    expect(maxPods).toBeLessThanOrEqual(13);
    expect(minAvailable).toBeGreaterThanOrEqual(8);
    expect(maxPods).toBe(13);
    expect(passes).toBeGreaterThan(3);
    const next = rsByImage(c, 'nginx:1.26');
    const prev = rsByImage(c, 'nginx:1.25');
    expect(next?.spec.replicas).toBe(10);
    expect(prev?.spec.replicas).toBe(0);
    expect(podsOf(c, next)).toHaveLength(10);
    expect(c.pods()).toHaveLength(10);
    const d = c.deployment('web');
    expect(d.metadata.annotations?.[REVISION]).toBe('2');
    expect(d.status).toMatchObject({ replicas: 10, updatedReplicas: 10, availableReplicas: 10 });
    expect(condition(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('starts a rollout by surging the new ReplicaSet and trimming the old one to replicas - maxUnavailable', () => {
    const c = rolledOut({ replicas: 10 });
    setImage(c, 'nginx:1.26');
    const actions = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0);
    const newName = `web-${podTemplateHash(c.deployment('web').spec.template)}`;
    const oldName = c.replicaSets()[0].metadata.name;
    expect(eventMessages(actions)).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${newName} from 0 to 3`,
      `ScalingReplicaSet: Scaled down replica set ${oldName} from 10 to 8`,
    ]);
  });

  it('does not surge again while a scaled-down ReplicaSet still runs its extra pods', () => {
    const c = rolledOut({ replicas: 10 });
    setImage(c, 'nginx:1.26');
    c.apply(planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0)); // new 0 -> 3, old 10 -> 8 (specs)
    // The old ReplicaSet's controller has not removed its two extra pods yet: it still reports 10.
    const old = c.replicaSets().find((rs) => rs.spec.template.spec.containers[0].image !== 'nginx:1.26');
    expect(old?.spec.replicas).toBe(8);
    expect(old?.status?.replicas).toBe(10);
    const again = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0);
    // 10 old pods + 3 new = replicas + maxSurge already: the new ReplicaSet may not grow (Kubernetes, counting
    // specs only, would take it to 5, and 15 pods would run).
    expect(eventMessages(again).filter((m) => m.includes('Scaled up'))).toEqual([]);
  });

  it('removes unavailable old replicas first so a broken old version does not block the rollout', () => {
    const d = deployment('web', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    const old = replicaSet('web-old', {
      replicas: 4,
      owner: d,
      template: template('nginx:1.24', { app: 'web' }),
      annotations: { [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '4' },
      status: { replicas: 4, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 },
    });
    const actions = planDeployment(d, [old], [], T0);
    const updated = ofType(actions, 'update').find((a) => a.object.metadata.name === 'web-old')?.object as ReplicaSet;
    // Only 1 of 4 is available, below replicas - maxUnavailable = 3, so a plain scale-down would wait forever;
    // an unavailable replica goes instead (one per sync, within replicas + maxSurge - minAvailable).
    expect(updated.spec.replicas).toBe(3);
    expect(eventMessages(actions)).toEqual(['ScalingReplicaSet: Scaled down replica set web-old from 4 to 3']);
  });

  it('scales proportionally when replicas change in the middle of a rollout', () => {
    const c = rolledOut({ replicas: 10 });
    setImage(c, 'nginx:1.26');
    c.syncOnce('web');
    const before = { next: rsByImage(c, 'nginx:1.26')?.spec.replicas ?? 0, prev: rsByImage(c, 'nginx:1.25')?.spec.replicas ?? 0 };
    expect(before).toEqual({ next: 3, prev: 8 });
    c.editDeployment('web', (d) => {
      d.spec.replicas = 20;
    });
    c.apply(planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0));
    const after = { next: rsByImage(c, 'nginx:1.26')?.spec.replicas ?? 0, prev: rsByImage(c, 'nginx:1.25')?.spec.replicas ?? 0 };
    expect(after.next + after.prev).toBe(25);
    expect(after.next).toBeGreaterThan(before.next);
    expect(after.prev).toBeGreaterThan(before.prev);
    c.settle('web');
    expect(rsByImage(c, 'nginx:1.26')?.spec.replicas).toBe(20);
    expect(c.pods()).toHaveLength(20);
  });

  it('scales the only active ReplicaSet when replicas change after a rollout', () => {
    const c = rolledOut({ replicas: 3 });
    c.editDeployment('web', (d) => {
      d.spec.replicas = 1;
    });
    const actions = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0);
    const rs = c.replicaSets()[0];
    expect(eventMessages(actions)).toEqual([`ScalingReplicaSet: Scaled down replica set ${rs.metadata.name} from 3 to 1`]);
    expect(ofType(actions, 'update')[0].object.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '1',
      'deployment.kubernetes.io/max-replicas': '2',
    });
  });
});

describe('planDeployment: Recreate', () => {
  it('scales old ReplicaSets to 0 and creates the new one only once no old pod is left', () => {
    const c = rolledOut({ replicas: 3, strategy: { type: 'Recreate' } });
    c.gracefulPodDeletion = true;
    const oldRs = c.replicaSets()[0];
    let newWhileOld = 0;
    c.afterApply = () => {
      if (rsByImage(c, 'nginx:1.26') && podsOf(c, oldRs).length > 0) newWhileOld++;
    };
    setImage(c, 'nginx:1.26');

    c.syncOnce('web');
    expect(c.replicaSets().find((rs) => rs.metadata.uid === oldRs.metadata.uid)?.spec.replicas).toBe(0);
    expect(podsOf(c, oldRs).every((p) => p.metadata.deletionTimestamp)).toBe(true);
    expect(rsByImage(c, 'nginx:1.26')).toBeUndefined();

    c.syncOnce('web');
    expect(rsByImage(c, 'nginx:1.26')).toBeUndefined();

    c.finishTerminating();
    c.syncOnce('web');
    expect(rsByImage(c, 'nginx:1.26')?.spec.replicas).toBe(3);
    c.settle('web');
    expect(newWhileOld).toBe(0);
    expect(podsOf(c, rsByImage(c, 'nginx:1.26'))).toHaveLength(3);
    expect(c.deployment('web').status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3 });
  });
});

describe('planDeployment: revisions and rollback', () => {
  it('numbers each new template with the next revision', () => {
    const c = rolledOut();
    setImage(c, 'nginx:1.26');
    c.settle('web');
    setImage(c, 'nginx:1.27');
    c.settle('web');
    const revisions = c.replicaSets().map((rs) => [rs.spec.template.spec.containers[0].image, rs.metadata.annotations?.[REVISION]]);
    expect(revisions.sort()).toEqual([
      ['nginx:1.25', '1'],
      ['nginx:1.26', '2'],
      ['nginx:1.27', '3'],
    ]);
    expect(c.deployment('web').metadata.annotations?.[REVISION]).toBe('3');
  });

  it('reuses the old ReplicaSet on rollback and raises its revision, remembering the old one', () => {
    const c = rolledOut();
    setImage(c, 'nginx:1.26');
    c.settle('web');
    const v1 = rsByImage(c, 'nginx:1.25') as ReplicaSet;
    // kubectl rollout undo: the old ReplicaSet's template without pod-template-hash.
    c.editDeployment('web', (d) => {
      d.spec.template = templateWithoutHash(v1.spec.template);
    });
    const actions = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0);
    expect(ofType(actions, 'create')).toEqual([]);
    const bumped = ofType(actions, 'update').find((a) => a.object.metadata.uid === v1.metadata.uid)?.object as ReplicaSet;
    expect(bumped.metadata.annotations).toMatchObject({ [REVISION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(bumped.spec.replicas).toBeGreaterThan(0);
    const dep = ofType(actions, 'update').find((a) => a.object.kind === 'Deployment');
    expect(dep?.object.metadata.annotations?.[REVISION]).toBe('3');

    c.settle('web');
    expect(c.replicaSets()).toHaveLength(2);
    expect(rsByImage(c, 'nginx:1.25')?.spec.replicas).toBe(3);
    expect(rsByImage(c, 'nginx:1.26')?.spec.replicas).toBe(0);
  });

  it('deletes the oldest empty ReplicaSets beyond revisionHistoryLimit', () => {
    const c = rolledOut({ revisionHistoryLimit: 2 });
    for (const v of ['1.26', '1.27', '1.28', '1.29']) {
      setImage(c, `nginx:${v}`);
      c.settle('web');
    }
    const left = c
      .replicaSets()
      .map((rs) => rs.spec.template.spec.containers[0].image)
      .sort();
    expect(left).toEqual(['nginx:1.27', 'nginx:1.28', 'nginx:1.29']);
  });

  it('keeps an old ReplicaSet that still has pods even beyond the limit', () => {
    const d = deployment('web', { revisionHistoryLimit: 0 });
    const current = replicaSet('web-new', {
      owner: d,
      replicas: 3,
      template: d.spec.template,
      annotations: { [REVISION]: '2' },
      status: { replicas: 3, availableReplicas: 3, readyReplicas: 3, observedGeneration: 1 },
    });
    const draining = replicaSet('web-old', {
      owner: d,
      replicas: 0,
      template: template('nginx:1.24'),
      annotations: { [REVISION]: '1' },
      status: { replicas: 1, observedGeneration: 1 },
    });
    const done = { ...d, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 } };
    expect(ofType(planDeployment(done, [current, draining], [], T0), 'delete')).toEqual([]);
    draining.status = { replicas: 0, observedGeneration: 1 };
    expect(ofType(planDeployment(done, [current, draining], [], T0), 'delete').map((a) => a.name)).toEqual(['web-old']);
  });
});

describe('planDeployment: pause and progress', () => {
  it('makes no rollout progress while paused, but still scales, and says so in Progressing', () => {
    const c = rolledOut({ replicas: 3 });
    c.editDeployment('web', (d) => {
      d.spec.paused = true;
    });
    setImage(c, 'nginx:1.26');
    c.settle('web');
    expect(rsByImage(c, 'nginx:1.26')).toBeUndefined();
    expect(condition(c.deployment('web'), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });

    c.editDeployment('web', (d) => {
      d.spec.replicas = 5;
    });
    c.settle('web');
    expect(rsByImage(c, 'nginx:1.25')?.spec.replicas).toBe(5);
    expect(c.deployment('web').status?.observedGeneration).toBe(c.deployment('web').metadata.generation);

    c.editDeployment('web', (d) => {
      d.spec.paused = false;
    });
    c.settle('web');
    expect(rsByImage(c, 'nginx:1.26')?.spec.replicas).toBe(5);
    expect(condition(c.deployment('web'), 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('reports ProgressDeadlineExceeded when a rollout makes no progress for progressDeadlineSeconds', () => {
    const c = rolledOut({ replicas: 3, progressDeadlineSeconds: 60 });
    setImage(c, 'nginx:broken');
    // The new pods never start: run the controllers only.
    for (let i = 0; i < 3; i++) c.syncOnce('web');
    const d = c.deployment('web');
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });

    c.now = at(30);
    const waiting = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), c.now);
    expect(writes(waiting)).toEqual([]);
    expect(ofType(waiting, 'requeueAfter')).toEqual([{ type: 'requeueAfter', ms: 31_000 }]);

    c.now = at(61);
    c.syncOnce('web');
    const late = c.deployment('web');
    const newRs = rsByImage(c, 'nginx:broken') as ReplicaSet;
    expect(condition(late, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`,
    });
    expect(ofType(planDeployment(late, c.replicaSets(), c.pods(), at(120)), 'requeueAfter')).toEqual([]);
  });

  it('starts the deadline again when progress resumes', () => {
    const c = rolledOut({ replicas: 3, progressDeadlineSeconds: 60 });
    setImage(c, 'nginx:1.26');
    for (let i = 0; i < 3; i++) c.syncOnce('web');
    c.now = at(50);
    c.startPods(1);
    c.syncOnce('web'); // the ReplicaSet reports the pod
    c.syncOnce('web'); // the Deployment notices
    expect(condition(c.deployment('web'), 'Progressing')?.lastUpdateTime).toBe('2024-05-01T12:00:50Z');
    c.now = at(100);
    c.syncOnce('web');
    expect(condition(c.deployment('web'), 'Progressing')?.reason).not.toBe('ProgressDeadlineExceeded');
  });
});

describe('planDeployment: idempotence', () => {
  it('plans the same actions twice from the same state', () => {
    const c = rolledOut({ replicas: 4 });
    setImage(c, 'nginx:1.26');
    const args = [c.deployment('web'), c.replicaSets(), c.pods(), T0] as const;
    expect(planDeployment(...args)).toEqual(planDeployment(...args));
  });

  it('plans nothing more once its actions are applied, only the wake-up for the progress deadline', () => {
    const c = new Cluster([deployment('web', { replicas: 4 })]);
    const first = planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0);
    expect(writes(first).length).toBeGreaterThan(0);
    c.apply(first);
    expect(planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), T0)).toEqual([{ type: 'requeueAfter', ms: 601_000 }]);
  });

  it('plans nothing for a rolled-out Deployment', () => {
    const c = rolledOut({ replicas: 4 });
    expect(planDeployment(c.deployment('web'), c.replicaSets(), c.pods(), at(3600))).toEqual([]);
  });
});

describe('podTemplateHash and fenceposts', () => {
  it('is ten characters of the safe alphabet, stable under key order, blind to its own label', () => {
    const a = template('nginx:1.25', { app: 'web', tier: 'front' });
    const b = { spec: a.spec, metadata: { labels: { tier: 'front', app: 'web', 'pod-template-hash': 'xyz' } } };
    expect(podTemplateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(podTemplateHash(b)).toBe(podTemplateHash(a));
    expect(podTemplateHash(template('nginx:1.26'))).not.toBe(podTemplateHash(template('nginx:1.25')));
    expect(podTemplateHash(a, 1)).not.toBe(podTemplateHash(a));
  });

  it('treats a null creationTimestamp in the template (what `kubectl rollout undo` sends) as absent', () => {
    const a = template('nginx:1.25', { app: 'web' });
    const undone = { ...a, metadata: { ...a.metadata, creationTimestamp: null } };
    expect(podTemplateHash(undone)).toBe(podTemplateHash(a));
    expect(templatesEqualIgnoringHash(undone, a)).toBe(true);
  });

  it('hashes again with collisionCount when the name is taken by another template', () => {
    const d = deployment('web');
    const squatter = replicaSet(`web-${podTemplateHash(d.spec.template)}`, { template: template('other:1') });
    const actions = planDeployment(d, [squatter], [], T0);
    expect(ofType(actions, 'create')[0].object.metadata.name).toBe(`web-${podTemplateHash(d.spec.template, 1)}`);
    expect((ofType(actions, 'updateStatus')[0].object as Deployment).status?.collisionCount).toBe(1);
  });

  it('rounds surge up and unavailable down, and never lets both be zero', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(undefined, undefined, 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(0, '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(2, 0, 5)).toEqual({ surge: 2, unavailable: 0 });
    expect(() => resolveFenceposts('two', 0, 5)).toThrow(/percentage/);
  });
});

describe('planDeployment: neighbours', () => {
  it('ignores pods and ReplicaSets of other Deployments', () => {
    const c = new Cluster([deployment('web', { replicas: 2 }), deployment('api', { replicas: 1 })]);
    c.settle('web');
    c.settle('api');
    const plan = planDeployment(c.deployment('web'), c.replicaSets(), [...c.pods(), pod('stray', { labels: { app: 'api' } })], T0);
    expect(plan).toEqual([]);
  });
});

describe('planDeployment: ReplicaFailure, when the pods a ReplicaSet creates are refused', () => {
  it('the ReplicaSet and the Deployment carry the refusal while quota is full, and lose it once creates succeed', () => {
    const c = new Cluster([deployment('web', { replicas: 4 })]);
    c.podQuota = 2;
    c.settle('web');
    expect(c.pods()).toHaveLength(2);
    const [rs] = c.replicaSets();
    const rsFailure = rs.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    expect(rsFailure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(rsFailure?.message).toMatch(/^Error creating: pods "web-.*" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/);
    // The refused sync still reports what is there.
    expect(rs.status?.replicas).toBe(2);
    const d = c.deployment('web');
    expect(condition(d, 'ReplicaFailure')).toEqual({
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: rsFailure?.message,
      lastUpdateTime: rsFailure?.lastTransitionTime,
      lastTransitionTime: rsFailure?.lastTransitionTime,
    });

    // Retrying does not rewrite the condition with each new pod name.
    expect(c.syncOnce('web')).toEqual([]);

    c.podQuota = undefined;
    c.settle('web');
    expect(c.pods()).toHaveLength(4);
    expect(c.replicaSets()[0].status?.conditions?.some((x) => x.type === 'ReplicaFailure')).toBeFalsy();
    expect(condition(c.deployment('web'), 'ReplicaFailure')).toBeUndefined();
    expect(condition(c.deployment('web'), 'Available')?.status).toBe('True');
  });

  it("an old ReplicaSet's failure is shown when the new one has none, the new one's first", () => {
    const old = replicaSet('web-old', {
      replicas: 1,
      status: {
        replicas: 0,
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'old refused', lastTransitionTime: '2024-05-01T11:00:00Z' }],
      },
    });
    const d = deployment('web', { replicas: 1 });
    old.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid ?? '', controller: true }];
    old.metadata.annotations = { [REVISION]: '1' };
    const status = ofType(planDeployment(d, [old], [], T0), 'updateStatus').at(-1)?.object.status as Deployment['status'];
    expect(status?.conditions?.find((x) => x.type === 'ReplicaFailure')?.message).toBe('old refused');
  });
});
