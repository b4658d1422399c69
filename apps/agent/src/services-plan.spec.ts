import type { Endpoints, Ingress, Pod, Service } from '@flotilla/resources';
import { assignNodePorts, hashedNodePort, planIngress, podAddresses, resolveServices, type DroppedBackend, type ResolvedService } from './services-plan';

const svc = (ns: string, name: string, spec: Partial<Service['spec']>, created = '2026-01-01T00:00:00Z'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name, creationTimestamp: created },
  spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

const eps = (ns: string, name: string, subsets: Endpoints['subsets']): [string, Endpoints] => [
  `${ns}/${name}`,
  { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets },
];

const ingress = (ns: string, name: string, spec: Ingress['spec'], created = '2026-01-01T00:00:00Z'): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace: ns, name, creationTimestamp: created },
  spec,
});

/** Namespace `a` has pods at 10.0.0.1, 10.0.0.2 and 10.0.0.9 on this node. */
const podsOfA = new Map([['a', new Set(['10.0.0.1', '10.0.0.2', '10.0.0.9'])]]);

const pod = (ns: string, name: string, status: Pod['status'], deleting = false): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: 'x' }] },
  status,
});

describe('resolveServices', () => {
  it('sends only to ready addresses, on the port the Endpoints name after the service port', () => {
    const s = svc('a', 'web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'admin', port: 81, targetPort: 9000 },
      ],
    });
    const [r] = resolveServices(
      [s],
      new Map([
        eps('a', 'web', [
          {
            addresses: [{ ip: '10.0.0.1' }],
            notReadyAddresses: [{ ip: '10.0.0.9' }],
            ports: [
              { name: 'http', port: 8080 },
              { name: 'admin', port: 9000 },
            ],
          },
          { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 8081 }] },
        ]),
      ]),
      podsOfA,
    );
    expect(r.ports[0].backends).toEqual([
      { host: '10.0.0.1', port: 8080 },
      { host: '10.0.0.2', port: 8081 },
    ]);
    expect(r.ports[1].backends).toEqual([{ host: '10.0.0.1', port: 9000 }]);
  });

  it('uses a numeric targetPort for hand-written Endpoints without ports, and skips ExternalName', () => {
    const out = resolveServices(
      [svc('a', 'web', {}), svc('a', 'ext', { type: 'ExternalName', externalName: 'x.test' })],
      new Map([eps('a', 'web', [{ addresses: [{ ip: '10.0.0.1' }] }])]),
      podsOfA,
    );
    expect(out.map((s) => s.name)).toEqual(['web']);
    expect(out[0].ports[0].backends).toEqual([{ host: '10.0.0.1', port: 8080 }]);
  });

  it('keeps a given nodePort and derives a stable one in range when the API left it empty', () => {
    const [given, derived] = resolveServices(
      [svc('a', 'one', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), svc('a', 'two', { type: 'NodePort' }, '2026-01-02T00:00:00Z')],
      new Map(),
      podsOfA,
    );
    expect(given.ports[0].nodePort).toBe(30080);
    expect(derived.ports[0].nodePort).toBe(hashedNodePort('a', 'two', 80));
    expect(derived.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(derived.ports[0].nodePort).toBeLessThanOrEqual(32767);
  });
});

describe("the second wall: backends only at pods of the Service's namespace", () => {
  it("drops an address of another namespace's pod, the host, the bridge gateway and unknown addresses, and lists them once", () => {
    const allowed = podAddresses([
      pod('a', 'mine', { phase: 'Running', podIP: '172.30.0.5', podIPs: [{ ip: '172.30.0.5' }] }),
      pod('b', 'victim', { phase: 'Running', podIP: '172.31.0.5' }),
    ]);
    const dropped: DroppedBackend[] = [];
    const [web, other] = resolveServices(
      [svc('a', 'web', {}), svc('a', 'other', {}, '2026-01-02T00:00:00Z')],
      new Map([
        eps('a', 'web', [{ addresses: [{ ip: '172.30.0.5' }, { ip: '172.31.0.5' }, { ip: '172.30.0.1' }, { ip: '10.1.2.3' }] }]),
        eps('a', 'other', [{ addresses: [{ ip: '172.31.0.5' }, { ip: '172.31.0.5' }] }]),
      ]),
      allowed,
      dropped,
    );
    expect(web.ports[0].backends).toEqual([{ host: '172.30.0.5', port: 8080 }]);
    expect(other.ports[0].backends).toEqual([]);
    expect(dropped).toEqual([
      { namespace: 'a', service: 'web', ip: '172.31.0.5' },
      { namespace: 'a', service: 'web', ip: '172.30.0.1' },
      { namespace: 'a', service: 'web', ip: '10.1.2.3' },
      { namespace: 'a', service: 'other', ip: '172.31.0.5' },
    ]);
  });

  it('routes nothing of a namespace without pods here, even to its own Endpoints', () => {
    const [r] = resolveServices([svc('c', 'web', {})], new Map([eps('c', 'web', [{ addresses: [{ ip: '10.0.0.1' }] }])]), podsOfA);
    expect(r.ports[0].backends).toEqual([]);
  });

  it('counts only live pods with an address', () => {
    const allowed = podAddresses([
      pod('a', 'done', { phase: 'Succeeded', podIP: '10.0.0.3' }),
      pod('a', 'failed', { phase: 'Failed', podIP: '10.0.0.4' }),
      pod('a', 'going', { phase: 'Running', podIP: '10.0.0.6' }, true),
      pod('a', 'pending', { phase: 'Pending' }),
      pod('a', 'up', { phase: 'Running', podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }] }),
      pod('b', 'up', { phase: 'Pending', podIP: '10.0.0.8' }),
    ]);
    expect(allowed).toEqual(
      new Map([
        ['a', new Set(['10.0.0.7', 'fd00::7'])],
        ['b', new Set(['10.0.0.8'])],
      ]),
    );
  });
});

describe('assignNodePorts', () => {
  it('gives a contested nodePort to the older service and reports the other', () => {
    const mk = (name: string): ResolvedService => ({
      namespace: 'a',
      name,
      type: 'NodePort',
      createdAt: '',
      ports: [{ name: '', port: 80, nodePort: 30001, backends: [] }],
    });
    const { bindings, conflicts } = assignNodePorts([mk('old'), mk('new')]);
    expect(bindings.map((b) => b.service)).toEqual(['a/old']);
    expect(conflicts[0]).toContain('a/new');
  });
});

describe('planIngress', () => {
  const services = resolveServices(
    [svc('a', 'web', {}), svc('a', 'api', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), svc('b', 'web', {})],
    new Map([eps('a', 'web', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 8080 }] }])]),
    podsOfA,
  );

  it('gives every service <name>.<namespace>.<base domain>', () => {
    const plan = planIngress(services, [], 'flotilla.localhost');
    expect(plan.routes.map((r) => r.host).sort()).toEqual(['api.a.flotilla.localhost', 'web.a.flotilla.localhost', 'web.b.flotilla.localhost']);
    expect(plan.pools['a/web:80']).toEqual([{ host: '10.0.0.1', port: 8080 }]);
  });

  it('routes Ingress paths to services by port number or name, and keeps hosts with the namespace that claimed them first', () => {
    const plan = planIngress(
      services,
      [
        ingress('a', 'shop', {
          rules: [
            { host: 'Shop.test', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } },
          ],
          tls: [{ hosts: ['shop.test'], secretName: 'tls' }],
        }),
        ingress(
          'b',
          'steal',
          {
            rules: [{ host: 'shop.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
            tls: [{ hosts: ['web.a.flotilla.localhost'], secretName: 'x' }],
          },
          '2026-02-01T00:00:00Z',
        ),
        ingress('a', 'other-class', { ingressClassName: 'nginx', rules: [{ host: 'n.test' }] }),
      ],
      'flotilla.localhost',
    );
    const shop = plan.routes.filter((r) => r.host === 'shop.test');
    expect(shop).toEqual([{ host: 'shop.test', path: '/api', pathType: 'Prefix', pool: 'a/api:80', source: 'ingress a/shop' }]);
    expect(plan.tls).toEqual([{ host: 'shop.test', namespace: 'a', secretName: 'tls' }]);
    expect(plan.ignored).toHaveLength(2);
    expect(plan.routes.some((r) => r.host === 'n.test')).toBe(false);
  });
});
