import type { Condition, KubeObject, Namespace } from '@flotilla/resources';
import { NS, at, deployment, pod, replicaSet } from './__fixtures__/builders';
import { Cluster } from './__fixtures__/cluster';
import { finalizedNamespace, mergeNamespaceConditions, namespaceDeletionConditions, planNamespaceDeletion } from './namespace';
import type { NamespaceContent } from './namespace';

const RESOURCES: Array<[string, string]> = [
  ['Pod', 'pods'],
  ['Deployment', 'deployments.apps'],
  ['ReplicaSet', 'replicasets.apps'],
];

function terminating(): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS, uid: 'ns-uid', deletionTimestamp: '2024-05-01T12:00:00Z' },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Terminating' },
  };
}

/** The namespace's content per kind, as the worker lists it from the cache. */
function contents(c: Cluster): NamespaceContent<string>[] {
  return RESOURCES.map(([kind, resource]) => ({ type: kind, resource, objects: c.list<KubeObject>(kind) }));
}

const status = (conds: Condition[], type: string) => conds.find((c) => c.type === type);

describe('planNamespaceDeletion', () => {
  it('a namespace that is not terminating is left alone', () => {
    const ns = terminating();
    delete ns.metadata.deletionTimestamp;
    delete ns.status;
    expect(planNamespaceDeletion(ns, contents(new Cluster([pod('p')])))).toBeUndefined();
  });

  it('deletes everything in it, reports what is left, and finalizes only once nothing is left', () => {
    const d = deployment('web');
    const rs = replicaSet('web-1', { owner: d });
    const held = pod('web-1-a', { owner: rs });
    held.metadata.finalizers = ['example.com/hold'];
    const cluster = new Cluster([d, rs, held, pod('web-1-b', { owner: rs })]);

    const first = planNamespaceDeletion(terminating(), contents(cluster));
    expect(first?.finalize).toBe(false);
    expect(first?.requeueAfterMs).toBe(1000);
    expect(first?.deletes.map((x) => `${x.type}/${x.object.metadata.name}`)).toEqual(['Pod/web-1-a', 'Pod/web-1-b', 'Deployment/web', 'ReplicaSet/web-1']);
    const conds = namespaceDeletionConditions(first!, 0, at(1));
    expect(status(conds, 'NamespaceContentRemaining')).toMatchObject({
      status: 'True',
      message:
        'Some resources are remaining: deployments.apps has 1 resource instances, pods has 2 resource instances, replicasets.apps has 1 resource instances',
    });
    expect(status(conds, 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold',
    });

    for (const x of first!.deletes) cluster.deleteObject(x.object, 'Background');
    // The pod with a finalizer stays, terminating: it is waited for, not deleted again.
    const second = planNamespaceDeletion(terminating(), contents(cluster));
    expect(second?.deletes).toEqual([]);
    expect(second?.remaining).toEqual([['pods', 1]]);
    expect(second?.finalize).toBe(false);

    cluster.objects.clear();
    const last = planNamespaceDeletion(terminating(), contents(cluster));
    expect(last).toMatchObject({ deletes: [], remaining: [], finalize: true });
    const done = namespaceDeletionConditions(last!, 0, at(2));
    expect(status(done, 'NamespaceContentRemaining')).toMatchObject({ status: 'False', reason: 'ContentRemoved' });
    expect(status(done, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'False', reason: 'ContentHasNoFinalizers' });
    expect(finalizedNamespace(terminating()).spec?.finalizers).toEqual([]);
  });

  it('failed deletes are reported as a content failure', () => {
    const plan = planNamespaceDeletion(terminating(), contents(new Cluster([pod('p')])));
    expect(status(namespaceDeletionConditions(plan!, 2, at(0)), 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete 2 resources',
    });
  });

  it('conditions are written only when they change, and keep their transition time while the status holds', () => {
    const cluster = new Cluster([pod('p'), pod('q')]);
    const before = namespaceDeletionConditions(planNamespaceDeletion(terminating(), contents(cluster))!, 0, at(0));
    expect(mergeNamespaceConditions(before, namespaceDeletionConditions(planNamespaceDeletion(terminating(), contents(cluster))!, 0, at(5)))).toBeUndefined();
    cluster.deleteObject(pod('q'));
    const merged = mergeNamespaceConditions(before, namespaceDeletionConditions(planNamespaceDeletion(terminating(), contents(cluster))!, 0, at(5)));
    expect(status(merged!, 'NamespaceContentRemaining')).toMatchObject({
      message: 'Some resources are remaining: pods has 1 resource instances',
      lastTransitionTime: before[3].lastTransitionTime,
    });
  });
});
