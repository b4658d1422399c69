import type { Endpoints } from '@flotilla/resources';
import { planEndpoints } from './endpoints';
import { ofType, pod, service } from './__fixtures__/builders';

const web = (name: string, ip: string | undefined, f: Parameters<typeof pod>[1] = {}) =>
  pod(name, { labels: { app: 'web' }, ip, nodeName: 'node-1', phase: 'Running', ...f });

const created = (actions: ReturnType<typeof planEndpoints>): Endpoints => ofType(actions, 'create')[0].object as Endpoints;

describe('planEndpoints', () => {
  it('puts ready pods in addresses and the others in notReadyAddresses, with targetRef and nodeName', () => {
    const svc = service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 8080 }]);
    const ready = web('a', '10.0.0.2', { ready: true });
    const starting = web('b', '10.0.0.1', { ready: false, nodeName: 'node-2' });
    const ep = created(planEndpoints(svc, [ready, starting, web('db', '10.0.0.9', { labels: { app: 'db' }, ready: true })], undefined));
    expect(ep.metadata).toEqual({ name: 'web', namespace: 'default', labels: { team: 'shop' } });
    expect(ep.subsets).toEqual([
      {
        addresses: [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: ready.metadata.uid } }],
        notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: starting.metadata.uid } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('skips terminating pods, finished pods and pods without an IP yet', () => {
    const svc = service('web', { app: 'web' }, [{ port: 80 }]);
    const pods = [
      web('going', '10.0.0.1', { ready: true, deleting: true }),
      web('done', '10.0.0.2', { phase: 'Succeeded' }),
      web('new', undefined),
      web('ok', '10.0.0.3', { ready: true }),
    ];
    const ep = created(planEndpoints(svc, pods, undefined));
    expect(ep.subsets?.flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a) => a.ip)).toEqual(['10.0.0.3']);
    expect(ep.subsets?.[0].ports).toEqual([{ port: 80, protocol: 'TCP' }]);
  });

  it('resolves a named targetPort per pod and groups pods by the ports they resolve to', () => {
    const svc = service('web', { app: 'web' }, [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ]);
    const v1 = web('v1', '10.0.0.10', { ready: true, containerPorts: [{ name: 'http', containerPort: 8080 }] });
    const v2 = web('v2', '10.0.0.9', { ready: true, containerPorts: [{ name: 'http', containerPort: 8081 }] });
    const v1b = web('v1b', '10.0.0.2', { ready: true, containerPorts: [{ name: 'http', containerPort: 8080 }] });
    const unnamed = web('unnamed', '10.0.0.5', { ready: true });
    const ep = created(planEndpoints(svc, [v1, v2, v1b, unnamed], undefined));
    const view = ep.subsets?.map((s) => ({ ips: s.addresses?.map((a) => a.ip), ports: s.ports?.map((p) => `${p.name}:${p.port}`) }));
    expect(view).toHaveLength(3);
    expect(view).toEqual(
      expect.arrayContaining([
        { ips: ['10.0.0.2', '10.0.0.10'], ports: ['http:8080', 'metrics:9090'] },
        { ips: ['10.0.0.9'], ports: ['http:8081', 'metrics:9090'] },
        // No container port named http: only the numeric port reaches it.
        { ips: ['10.0.0.5'], ports: ['metrics:9090'] },
      ]),
    );
    // Deterministic whatever the order pods are listed in.
    expect(created(planEndpoints(svc, [unnamed, v1b, v2, v1], undefined))).toEqual(ep);
  });

  it('updates only when subsets or labels change, keeping the resourceVersion it read', () => {
    const svc = service('web', { app: 'web' }, [{ port: 80 }]);
    const a = web('a', '10.0.0.1', { ready: true });
    const ep = {
      ...created(planEndpoints(svc, [a], undefined)),
      metadata: { name: 'web', namespace: 'default', labels: { team: 'shop' }, resourceVersion: '7' },
    };
    expect(planEndpoints(svc, [a], ep)).toEqual([]);
    const [update] = ofType(planEndpoints(svc, [a, web('b', '10.0.0.2', { ready: true })], ep), 'update');
    expect(update.object.metadata.resourceVersion).toBe('7');
    expect((update.object as Endpoints).subsets?.[0].addresses?.map((x) => x.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
    const relabelled = { ...svc, metadata: { ...svc.metadata, labels: { team: 'checkout' } } };
    expect(ofType(planEndpoints(relabelled, [a], ep), 'update')[0].object.metadata.labels).toEqual({ team: 'checkout' });
  });

  it('leaves a service without selector alone, and deletes Endpoints whose service is gone', () => {
    const manual = service('external-db', undefined, [{ port: 5432 }]);
    const ep: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external-db', namespace: 'default', uid: 'ep-1' },
      subsets: [{ addresses: [{ ip: '192.168.1.5' }], ports: [{ port: 5432 }] }],
    };
    expect(planEndpoints(manual, [web('a', '10.0.0.1', { ready: true })], ep)).toEqual([]);
    expect(planEndpoints(undefined, [], ep)).toEqual([
      { type: 'delete', kind: 'Endpoints', namespace: 'default', name: 'external-db', uid: 'ep-1', preconditionUid: 'ep-1' },
    ]);
  });

  it('publishes portless addresses and the headless label for a headless service', () => {
    const svc = service('db', { app: 'web' }, [], { clusterIP: 'None' });
    const p = web('db-0', '10.0.0.4', { ready: true });
    p.spec.hostname = 'db-0';
    p.spec.subdomain = 'db';
    const ep = created(planEndpoints(svc, [p], undefined));
    expect(ep.metadata.labels).toEqual({ team: 'shop', 'service.kubernetes.io/headless': '' });
    expect(ep.subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '10.0.0.4', hostname: 'db-0' })] }]);
  });
});
