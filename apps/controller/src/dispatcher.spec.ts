// The dispatcher's routing, driven by the real registrations over a real watch cache and cluster index: which
// keys each change reaches, and what a resync covers.
import type { KubeObject, OwnerReference } from '@flotilla/resources';
import { WatchCache } from '@flotilla/store';
import type { Change } from '@flotilla/store';
import { ClusterIndex } from './cluster-index';
import { CONTROLLERS } from './controllers';
import { R } from './kinds';
import { ANY_RESOURCE, ChangeRouter, isQueueController, reconcileKey, selfKey } from './registration';
import type { QueueControllerRegistration } from './registration';

const RESOURCE: Record<string, string> = {
  Namespace: R.namespace,
  Pod: R.pod,
  Service: R.service,
  Endpoints: R.endpoints,
  Deployment: R.deployment,
  ReplicaSet: R.replicaSet,
  Job: R.job,
  CronJob: R.cronJob,
};

const queued = CONTROLLERS.filter(isQueueController);

class Harness {
  readonly cache = new WatchCache(() => Promise.resolve([]), 0);
  readonly index = new ClusterIndex(this.cache);
  readonly router: ChangeRouter;
  private rv = 0;

  constructor(controllers: readonly QueueControllerRegistration[] = queued) {
    this.router = new ChangeRouter(controllers);
  }

  private change(type: Change['type'], obj: KubeObject): string[] {
    const c: Change = {
      type,
      rv: ++this.rv,
      resource: RESOURCE[obj.kind],
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      obj,
      json: JSON.stringify(obj),
    };
    this.cache.apply([c]);
    const ic = this.index.apply(c);
    return this.router.route(ic, { cache: this.cache, index: this.index }).map((r) => `${r.queue} ${r.key.kind}/${r.key.namespace}/${r.key.name}`);
  }

  put(obj: KubeObject): string[] {
    return this.change('MODIFIED', obj);
  }
  remove(obj: KubeObject): string[] {
    return this.change('DELETED', obj);
  }
  resync(): string[] {
    return this.router.resync({ cache: this.cache, index: this.index }).map((r) => `${r.queue} ${r.key.kind}/${r.key.namespace}/${r.key.name}`);
  }
}

function obj(kind: string, name: string, extra: { ns?: string; labels?: Record<string, string>; owners?: OwnerReference[]; spec?: object } = {}): KubeObject {
  const namespaced = kind !== 'Namespace';
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      namespace: namespaced ? (extra.ns ?? 'ns1') : undefined,
      uid: `uid-${kind}-${name}`,
      labels: extra.labels,
      ownerReferences: extra.owners,
    },
    spec: extra.spec ?? {},
  } as KubeObject;
}

const ownedBy = (owner: KubeObject, controller = true): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name ?? '',
  uid: owner.metadata.uid ?? '',
  controller,
});

describe('dispatcher routing from the registrations', () => {
  it('a pod goes to its controlling ReplicaSet and to the Services selecting it, not to other ReplicaSets', () => {
    const h = new Harness();
    const rs = obj('ReplicaSet', 'web-1');
    h.put(rs);
    h.put(obj('ReplicaSet', 'other'));
    h.put(obj('Service', 'web', { spec: { selector: { app: 'web' } } }));
    h.put(obj('Service', 'db', { spec: { selector: { app: 'db' } } }));
    const keys = h.put(obj('Pod', 'web-1-abc', { labels: { app: 'web' }, owners: [ownedBy(rs)] }));
    expect(keys.sort()).toEqual(['endpoints Service/ns1/web', 'replicaset ReplicaSet/ns1/web-1']);
  });

  it('an orphan pod goes to every ReplicaSet of its namespace (adoption), unless it was deleted', () => {
    const h = new Harness();
    h.put(obj('ReplicaSet', 'a'));
    h.put(obj('ReplicaSet', 'b'));
    h.put(obj('ReplicaSet', 'elsewhere', { ns: 'ns2' }));
    const pod = obj('Pod', 'stray');
    expect(h.put(pod).sort()).toEqual(['replicaset ReplicaSet/ns1/a', 'replicaset ReplicaSet/ns1/b']);
    expect(h.remove(pod)).toEqual([]);
  });

  it('a pod released by its ReplicaSet (owner reference removed) makes that ReplicaSet re-count', () => {
    const h = new Harness();
    const rs = obj('ReplicaSet', 'web-1');
    h.put(rs);
    h.put(obj('Pod', 'p', { owners: [ownedBy(rs)] }));
    expect(h.put(obj('Pod', 'p'))).toContain('replicaset ReplicaSet/ns1/web-1');
  });

  it('a pod relabelled out of a Service still reaches it (the selector matched its previous labels)', () => {
    const h = new Harness();
    h.put(obj('Service', 'web', { spec: { selector: { app: 'web' } } }));
    h.put(obj('Pod', 'p', { labels: { app: 'web' } }));
    expect(h.put(obj('Pod', 'p', { labels: { app: 'other' } }))).toContain('endpoints Service/ns1/web');
    expect(h.put(obj('Pod', 'p', { labels: { app: 'none' } }))).not.toContain('endpoints Service/ns1/web');
  });

  it('a ReplicaSet goes to itself and its Deployment; one without a controller to every Deployment of its namespace', () => {
    const h = new Harness();
    const d = obj('Deployment', 'web');
    h.put(d);
    h.put(obj('Deployment', 'api'));
    h.put(obj('Deployment', 'far', { ns: 'ns2' }));
    expect(h.put(obj('ReplicaSet', 'web-1', { owners: [ownedBy(d)] })).sort()).toEqual(['deployment Deployment/ns1/web', 'replicaset ReplicaSet/ns1/web-1']);
    expect(h.put(obj('ReplicaSet', 'loose')).sort()).toEqual([
      'deployment Deployment/ns1/api',
      'deployment Deployment/ns1/web',
      'replicaset ReplicaSet/ns1/loose',
    ]);
  });

  it('a Job goes to itself and to its CronJob; a Job pod to its Job', () => {
    const h = new Harness();
    const cj = obj('CronJob', 'nightly');
    h.put(cj);
    const job = obj('Job', 'nightly-1', { owners: [ownedBy(cj)] });
    expect(h.put(job).sort()).toEqual(['cronjob CronJob/ns1/nightly', 'job Job/ns1/nightly-1']);
    expect(h.put(obj('Pod', 'nightly-1-x', { owners: [ownedBy(job)] }))).toEqual(['job Job/ns1/nightly-1']);
  });

  it('deleted Endpoints come back only while their Service exists', () => {
    const h = new Harness();
    const ep = obj('Endpoints', 'web');
    h.put(ep);
    expect(h.remove(ep)).toEqual([]);
    h.put(obj('Service', 'web', { spec: {} }));
    h.put(ep);
    expect(h.remove(ep)).toEqual(['endpoints Service/ns1/web']);
  });

  it('a Terminating namespace is reconciled when it changes and with every deletion inside it', () => {
    const h = new Harness();
    const pod = obj('Pod', 'p', { ns: 'gone' });
    h.put(pod);
    const live = obj('Namespace', 'gone');
    expect(h.put(live)).toEqual([]);
    const terminating = { ...live, status: { phase: 'Terminating' } } as KubeObject;
    expect(h.put(terminating)).toEqual(['namespace Namespace//gone']);
    expect(h.remove(pod)).toContain('namespace Namespace//gone');
  });

  it('deleting an owner sends its dependents to the garbage collector; a dependent whose owner is unknown goes there itself', () => {
    const h = new Harness();
    const rs = obj('ReplicaSet', 'web-1');
    h.put(rs);
    h.put(obj('Pod', 'p1', { owners: [ownedBy(rs)] }));
    h.put(obj('Pod', 'p2', { owners: [ownedBy(rs)] }));
    const keys = h.remove(rs).filter((k) => k.startsWith('garbagecollector'));
    expect(keys.sort()).toEqual(['garbagecollector core~pods/ns1/p1', 'garbagecollector core~pods/ns1/p2']);
    expect(h.put(obj('Pod', 'p3', { owners: [ownedBy(rs)] }))).toContain('garbagecollector core~pods/ns1/p3');
  });

  it('an owner in foreground deletion is woken when a dependent starts terminating or goes', () => {
    const h = new Harness();
    const d = obj('Deployment', 'web');
    const deleting = { ...d, metadata: { ...d.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } } as KubeObject;
    expect(h.put(deleting)).toContain('garbagecollector apps~deployments/ns1/web');
    const rs = obj('ReplicaSet', 'web-1', { owners: [ownedBy(d)] });
    h.put(rs);
    const terminatingRs = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } } as KubeObject;
    expect(h.put(terminatingRs)).toContain('garbagecollector apps~deployments/ns1/web');
    expect(h.remove(terminatingRs)).toContain('garbagecollector apps~deployments/ns1/web');
  });

  it('a resync covers every object each controller owns, terminating namespaces and pending collections', () => {
    const h = new Harness();
    h.put(obj('Deployment', 'web'));
    h.put(obj('ReplicaSet', 'web-1'));
    h.put(obj('Job', 'j'));
    h.put(obj('CronJob', 'c'));
    h.put(obj('Service', 's', { spec: {} }));
    h.put(obj('Namespace', 'live'));
    h.put({ ...obj('Namespace', 'dying'), status: { phase: 'Terminating' } } as KubeObject);
    h.put(obj('Pod', 'orphaned', { owners: [{ apiVersion: 'v1', kind: 'ReplicaSet', name: 'gone', uid: 'nobody', controller: true }] }));
    expect(h.resync().sort()).toEqual([
      'cronjob CronJob/ns1/c',
      'deployment Deployment/ns1/web',
      'endpoints Service/ns1/s',
      'garbagecollector core~pods/ns1/orphaned',
      'job Job/ns1/j',
      'namespace Namespace//dying',
      'replicaset ReplicaSet/ns1/web-1',
    ]);
  });

  it('routes by whatever is registered: a new controller is reached without touching the dispatcher', () => {
    const extra: QueueControllerRegistration = {
      name: 'test-controller',
      queue: 'cronjob',
      owns: [],
      watches: { [R.service]: selfKey('Probe'), [ANY_RESOURCE]: () => [reconcileKey('Probe', '', 'any')] },
      resync: () => [reconcileKey('Probe', '', 'resync')],
      reconciler: () => () => Promise.resolve(),
    };
    const h = new Harness([extra]);
    expect(h.put(obj('Service', 's', { spec: {} }))).toEqual(['cronjob Probe/ns1/s', 'cronjob Probe//any']);
    expect(h.put(obj('Pod', 'p'))).toEqual(['cronjob Probe//any']);
    expect(h.resync()).toEqual(['cronjob Probe//resync']);
  });

  it('every queue controller watches the kinds it owns (or everything), and has a queue of its own whose name fits a job id', () => {
    for (const c of queued) {
      for (const resource of c.owns)
        expect({ controller: c.name, resource, watched: resource in c.watches || ANY_RESOURCE in c.watches }).toEqual({
          controller: c.name,
          resource,
          watched: true,
        });
      expect(Object.keys(c.watches).length).toBeGreaterThan(0);
    }
    expect(new Set(queued.map((c) => c.queue)).size).toBe(queued.length);
    // '/' separates the queue from the key in job ids.
    expect(queued.filter((c) => c.queue.includes('/'))).toEqual([]);
  });
});
