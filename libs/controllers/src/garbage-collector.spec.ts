import type { KubeObject } from '@flotilla/resources';
import { controllerRefTo } from './actions';
import { deployment, pod, replicaSet } from './__fixtures__/builders';
import { Cluster } from './__fixtures__/cluster';
import { FOREGROUND_FINALIZER, needsCollection, planGarbageCollection } from './garbage-collector';

/** A Deployment, its ReplicaSet and two pods, each owned by the one above. */
function chain(): { cluster: Cluster; d: KubeObject; rs: KubeObject; pods: KubeObject[] } {
  const d = deployment('web');
  const rs = replicaSet('web-1', { owner: d });
  const pods = [pod('web-1-a', { owner: rs }), pod('web-1-b', { owner: rs })];
  return { cluster: new Cluster([d, rs, ...pods]), d, rs, pods };
}

function settle(cluster: Cluster): number {
  for (let i = 1; i <= 20; i++) if (cluster.collectGarbage() === 0) return i;
  throw new Error('the collector did not settle in 20 passes');
}

const kinds = (c: Cluster) => [...c.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('planGarbageCollection', () => {
  it('background: deleting the owner takes its ReplicaSet, then the pods, and nothing else', () => {
    const { cluster, d } = chain();
    const bystander = pod('other');
    cluster.add(bystander);
    cluster.deleteObject(d, 'Background');
    settle(cluster);
    expect(kinds(cluster)).toEqual(['Pod/other']);
  });

  it('orphan: the dependents stay, without the reference, and the collector leaves them alone', () => {
    const { cluster, d, rs } = chain();
    cluster.deleteObject(d, 'Orphan');
    expect(settle(cluster)).toBe(1);
    expect(kinds(cluster)).toEqual(['Pod/web-1-a', 'Pod/web-1-b', 'ReplicaSet/web-1']);
    expect(cluster.get(rs)?.metadata.ownerReferences).toBeUndefined();
  });

  it('foreground: the owner stays, terminating, until every dependent below it is gone', () => {
    const { cluster, d, rs } = chain();
    cluster.deleteObject(d, 'Foreground');
    const seen: string[][] = [];
    for (let i = 0; i < 20 && cluster.collectGarbage() > 0; i++) seen.push(kinds(cluster));
    // Never an owner gone while something it owned is left.
    for (const state of seen) {
      if (!state.includes('Deployment/web')) expect(state.filter((k) => k !== 'Pod/other')).toEqual([]);
      if (!state.includes('ReplicaSet/web-1')) expect(state.some((k) => k.startsWith('Pod/web-1'))).toBe(false);
    }
    expect(seen[0]).toContain('Deployment/web');
    expect(cluster.get(d)).toBeUndefined();
    expect(cluster.get(rs)).toBeUndefined();
    expect(kinds(cluster)).toEqual([]);
  });

  it('foreground: the owner deletes its dependents in foreground too, and waits while they terminate', () => {
    const { cluster, d, rs } = chain();
    cluster.deleteObject(d, 'Foreground');
    const owner = cluster.get(d) as KubeObject;
    const plan = planGarbageCollection(owner, cluster.ownership());
    expect(plan).toMatchObject({ type: 'deleteDependents', requeueAfterMs: 1000 });
    expect(plan.type === 'deleteDependents' && plan.dependents.map((x) => x.metadata.name)).toEqual(['web-1']);
    cluster.deleteObject(rs, 'Foreground');
    // Already terminating: nothing more to delete, but still waited for.
    expect(planGarbageCollection(owner, cluster.ownership())).toMatchObject({ type: 'deleteDependents', dependents: [] });
  });

  it('an owner in foreground deletion with nothing left loses the finalizer', () => {
    const d = deployment('web');
    const cluster = new Cluster([d]);
    cluster.deleteObject(d, 'Foreground');
    expect(cluster.get(d)?.metadata.finalizers).toEqual([FOREGROUND_FINALIZER]);
    expect(planGarbageCollection(cluster.get(d) as KubeObject, cluster.ownership())).toEqual({ type: 'removeForegroundFinalizer' });
  });

  it('an owner that looks gone is confirmed by the database first; an owner the cache has not seen yet is kept', () => {
    const d = deployment('web');
    const rs = replicaSet('web-1', { owner: d });
    const cluster = new Cluster([rs]); // the cache lags: the Deployment is not in it yet
    const first = planGarbageCollection(rs, cluster.ownership());
    expect(first).toEqual({ type: 'confirmOwners', uids: [d.metadata.uid] });
    expect(planGarbageCollection(rs, cluster.ownership(), new Set([d.metadata.uid ?? '']))).toEqual({ type: 'none' });
    expect(planGarbageCollection(rs, cluster.ownership(), new Set())).toEqual({ type: 'delete', propagationPolicy: 'Background' });
  });

  it('a dangling reference next to a live owner is removed; the live one is kept', () => {
    const live = deployment('live');
    const gone = deployment('gone');
    const rs = replicaSet('shared', { owner: live });
    rs.metadata.ownerReferences = [...(rs.metadata.ownerReferences ?? []), { ...controllerRefTo(gone), controller: false }];
    const cluster = new Cluster([live, rs]);
    const plan = planGarbageCollection(rs, cluster.ownership(), new Set([live.metadata.uid ?? '']));
    expect(plan).toEqual({ type: 'removeOwnerReferences', uids: [gone.metadata.uid] });
    settle(cluster);
    expect(cluster.get(rs)?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['live']);
  });

  it('a dependent already terminating is not deleted again', () => {
    const d = deployment('web');
    const rs = replicaSet('web-1', { owner: d, deleting: true });
    expect(planGarbageCollection(rs, new Cluster([rs]).ownership(), new Set())).toEqual({ type: 'none' });
  });

  it('a dependent of a live owner in foreground deletion is deleted in foreground', () => {
    const { cluster, d, rs } = chain();
    cluster.deleteObject(d, 'Foreground');
    const all = new Set([...cluster.objects.values()].map((o) => o.metadata.uid ?? ''));
    expect(planGarbageCollection(cluster.get(rs) as KubeObject, cluster.ownership(), all)).toEqual({ type: 'delete', propagationPolicy: 'Foreground' });
  });

  it('needsCollection: a missing owner or a foreground deletion, nothing else', () => {
    const { d, rs } = chain();
    const known = new Set([d.metadata.uid]);
    expect(needsCollection(rs, (u) => known.has(u))).toBe(false);
    expect(needsCollection(rs, () => false)).toBe(true);
    expect(needsCollection(d, () => false)).toBe(false);
    const deleting = { ...d, metadata: { ...d.metadata, deletionTimestamp: 'x', finalizers: [FOREGROUND_FINALIZER] } };
    expect(needsCollection(deleting, () => true)).toBe(true);
  });
});
