// Services on the real Docker engine: a pod reaches a Service by name through the agent's per-Service proxy,
// traffic follows the ready endpoints, other namespaces cannot reach it; NodePort on the host; the node
// ingress by automatic host name and by Ingress rules, and TLS from a kubernetes.io/tls Secret by SNI.
// No controller runs here: the Services have no selector and the test writes their Endpoints itself (as the
// endpoints controller would; an endpoints controller leaves selector-less Services' Endpoints alone).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@flotilla/resources';
import { createCa, issueServingCert } from '@flotilla/pki';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import { adminApi, freePort, getViaHost, KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';

jest.setTimeout(180_000);

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
let agent: AgentProcess;
let dataDir: string;
const run = randomBytes(3).toString('hex');
const nodeName = `svc-${run}`;
const nsA = `sva-${run}`;
const nsB = `svb-${run}`;
const shop = `shop-${run}.example.test`;
let httpPort: number;
let httpsPort: number;
let nodePort: number;
const pods: Record<string, Pod> = {};

function apply(obj: unknown): void {
  ok(kubectl(['apply', '-f', '-'], JSON.stringify(obj)));
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await adminApi<T>(p, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.obj)}`);
  return r.obj;
}

/** A free port in the NodePort range (so the Service can name it and the agent can bind it). */
async function freeNodePort(): Promise<number> {
  for (;;) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function podManifest(ns: string, name: string, labels: Record<string, string>, container: Record<string, unknown>): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName, terminationGracePeriodSeconds: 0, containers: [container] },
  };
}

const echo = (message: string): Record<string, unknown> => ({
  name: 'app',
  image: 'flotilla/echo:1',
  env: [{ name: 'MESSAGE', value: message }],
  ports: [{ name: 'http', containerPort: 8080 }],
});
const toolbox = { name: 'app', image: 'busybox', command: ['sleep', '3600'] };

async function ready(ns: string, name: string): Promise<Pod> {
  return waitFor(`${ns}/${name} Ready`, async () => {
    const pod = await api<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`).catch(() => undefined);
    return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && pod.status.podIP ? pod : undefined;
  });
}

function containerId(pod: Pod): string {
  return (pod.status?.containerStatuses?.[0]?.containerID ?? '').replace('docker://', '');
}

/** Runs a shell command in a pod's container; resolves with stdout, or undefined when it failed. */
function inPod(pod: Pod, script: string): string | undefined {
  try {
    return execFileSync('docker', ['exec', containerId(pod), 'sh', '-c', script], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return undefined;
  }
}

/** `host=<pod>` of every answer in the output of a loop of wgets. */
function answeredBy(out: string | undefined): string[] {
  return [...(out ?? '').matchAll(/host=(\S+)/g)].map((m) => m[1]);
}

function endpoints(ns: string, name: string, ready: Pod[], notReady: Pod[], port: { name?: string; port: number }): unknown {
  const addr = (pod: Pod) => ({ ip: pod.status!.podIP!, nodeName, targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: ns } });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns },
    subsets: [{ addresses: ready.map(addr), ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}), ports: [port] }],
  };
}

async function proxyContainer(ns: string, svc: string): Promise<{ id: string; ip: string } | undefined> {
  const list = await docker.listContainers({ filters: { label: [`flotilla.node=${nodeName}`, `flotilla.namespace=${ns}`, `flotilla.service=${svc}`] } });
  if (list.length !== 1) return undefined;
  const info = await docker.getContainer(list[0].Id).inspect();
  const ip = info.NetworkSettings.Networks?.[`flotilla-ns-${ns}`]?.IPAddress;
  return ip ? { id: list[0].Id, ip } : undefined;
}

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startPlatform();
  kubectl = kubectlFor(p);
  ok(kubectl(['create', 'namespace', nsA]));
  ok(kubectl(['create', 'namespace', nsB]));
  [httpPort, httpsPort, nodePort] = [await freePort(), await freePort(), await freeNodePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'flotilla-svc-test-'));
  agent = startAgent(p, nodeName, {
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${httpPort}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: `127.0.0.1:${httpsPort}`,
    FLOTILLA_NODEPORT_ADDRESS: '127.0.0.1',
    FLOTILLA_AGENT_DATA_DIR: dataDir,
    FLOTILLA_RESYNC_SECONDS: '5',
  });
  apply(podManifest(nsA, 'web-a', { app: 'web' }, echo('web')));
  apply(podManifest(nsA, 'web-b', { app: 'web' }, echo('web')));
  apply(podManifest(nsA, 'api-0', { app: 'api' }, echo('api')));
  apply(podManifest(nsA, 'client', { app: 'client' }, toolbox));
  apply(podManifest(nsB, 'client', { app: 'client' }, toolbox));
  for (const [ns, name] of [
    [nsA, 'web-a'],
    [nsA, 'web-b'],
    [nsA, 'api-0'],
    [nsA, 'client'],
    [nsB, 'client'],
  ])
    pods[`${ns}/${name}`] = await ready(ns, name);
  // web: port 80 → targetPort 8080 (a number), published as a NodePort; Endpoints: web-a and web-b.
  apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: nsA },
    spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort }] },
  });
  apply(endpoints(nsA, 'web', [pods[`${nsA}/web-a`], pods[`${nsA}/web-b`]], [], { port: 8080 }));
  // api: a named port whose targetPort is the pods' named container port.
  apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: nsA },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  apply(endpoints(nsA, 'api', [pods[`${nsA}/api-0`]], [], { name: 'http', port: 8080 }));
});

afterAll(async () => {
  kubectl?.(['delete', 'namespace', nsA, nsB, '--wait=false']);
  await agent?.stop();
  if (process.env.AGENT_TEST_LOGS) process.stderr.write(agent.logs());
  await cleanupNode(nodeName);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await p?.stop();
});

describe('ClusterIP by name', () => {
  it('a pod reaches http://web and web.<ns>.svc:80, answered by both ready endpoints', async () => {
    const client = pods[`${nsA}/client`];
    await waitFor('web answers by name', async () => answeredBy(inPod(client, 'timeout 3 wget -qO- http://web/')).length === 1);
    const loop = (url: string) => inPod(client, `for i in 1 2 3 4 5 6 7 8; do timeout 3 wget -qO- ${url}; done`);
    expect(new Set(answeredBy(loop('http://web/')))).toEqual(new Set(['web-a', 'web-b']));
    expect(new Set(answeredBy(loop(`http://web.${nsA}.svc:80/`)))).toEqual(new Set(['web-a', 'web-b']));
    expect(answeredBy(loop(`http://web.${nsA}.svc.cluster.local/x`))).toHaveLength(8);
    // A named targetPort, resolved from the Endpoints' port of the same name.
    expect(inPod(client, 'timeout 3 wget -qO- http://api/v1')).toMatch(/path=\/v1 host=api-0 message=api/);
  });

  it('stops sending to an endpoint that is no longer ready, within a second', async () => {
    const proxy = await proxyContainer(nsA, 'web');
    expect(proxy).toBeDefined();
    apply(endpoints(nsA, 'web', [pods[`${nsA}/web-a`]], [pods[`${nsA}/web-b`]], { port: 8080 }));
    // Measured from the stored change: kubectl's own start is seconds on a loaded machine and not the proxy's doing.
    const started = Date.now();
    // From the host straight to the proxy's address: 6 answers in a row from web-a only.
    let streak = 0;
    await waitFor(
      'only web-a answers',
      async () => {
        const a = await new Promise<string>((resolve) => {
          const req = httpRequest({ host: proxy!.ip, port: 80, path: '/', timeout: 2000 }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          });
          req.on('error', () => resolve(''));
          req.end();
        });
        streak = a.includes('host=web-a') ? streak + 1 : 0;
        return streak >= 6;
      },
      10_000,
      10,
    );
    const followedMs = Date.now() - started;
    process.stderr.write(`services e2e: the proxy followed the endpoint change in ≤ ${followedMs} ms\n`);
    expect(followedMs).toBeLessThan(5000);
    const client = pods[`${nsA}/client`];
    const seen = answeredBy(inPod(client, 'for i in 1 2 3 4 5 6; do timeout 3 wget -qO- http://web/; done'));
    expect(seen).toEqual(['web-a', 'web-a', 'web-a', 'web-a', 'web-a', 'web-a']);
  });

  it('is not reachable from another namespace, by name or by address', async () => {
    const other = pods[`${nsB}/client`];
    const proxy = await proxyContainer(nsA, 'web');
    expect(inPod(other, 'timeout 3 wget -qO- http://web/')).toBeUndefined();
    expect(inPod(other, `timeout 3 wget -qO- http://web.${nsA}.svc/`)).toBeUndefined();
    expect(inPod(other, `timeout 3 wget -qO- http://${proxy!.ip}/`)).toBeUndefined();
  });
});

describe('NodePort', () => {
  it('answers on 127.0.0.1:<nodePort> from the ready endpoints', async () => {
    const r = await waitFor('nodePort answers', () => getViaHost(nodePort, '/np', 'x').catch(() => undefined));
    expect(r.body).toMatch(/path=\/np host=web-a/);
    expect(ok(kubectl(['get', 'service', 'web', '-n', nsA]))).toContain(`80:${nodePort}/TCP`);
  });
});

describe('ingress', () => {
  it('routes <service>.<namespace>.flotilla.localhost to the service; 404 and 503 say why', async () => {
    const r = await waitFor('ingress answers', async () => {
      const x = await getViaHost(httpPort, '/hello', `web.${nsA}.flotilla.localhost`).catch(() => undefined);
      return x?.status === 200 ? x : undefined;
    });
    expect(r.body).toMatch(/path=\/hello host=web-a/);
    const miss = await getViaHost(httpPort, '/', `nothing.${nsA}.flotilla.localhost`);
    expect(miss.status).toBe(404);
    expect(miss.body).toContain('No Service or Ingress rule matches host');
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: nsA }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } });
    const empty = await waitFor('503 for a service without endpoints', async () => {
      const x = await getViaHost(httpPort, '/', `empty.${nsA}.flotilla.localhost`);
      return x.status === 503 ? x : undefined;
    });
    expect(empty.body).toContain('no ready endpoints');
  });

  it('routes an Ingress host and path (longest first) to the right services, and reports its address', async () => {
    apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace: nsA },
      spec: {
        rules: [
          {
            host: shop,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    });
    const api = await waitFor('/api routed', async () => {
      const x = await getViaHost(httpPort, '/api/items?id=1', shop);
      return x.status === 200 && x.body.includes('message=api') ? x : undefined;
    });
    expect(api.body).toContain('path=/api/items?id=1 host=api-0');
    expect((await getViaHost(httpPort, '/apix', shop)).body).toContain('host=web-a');
    expect((await getViaHost(httpPort, '/', shop)).body).toContain('message=web');
    const status = await waitFor('Ingress status', async () => {
      const ing = await api2<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(`/apis/networking.k8s.io/v1/namespaces/${nsA}/ingresses/shop`);
      return ing.status?.loadBalancer?.ingress?.[0]?.ip;
    });
    expect(status).toBe('127.0.0.1');
  });

  it('ignores an Ingress of another namespace that claims a host already in use', async () => {
    apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'hijack', namespace: nsB },
      spec: {
        rules: [{ host: shop, http: { paths: [{ path: '/api/items', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      },
    });
    await waitFor('agent saw it', async () => /hijack: host .* belongs to another namespace/.test(agent.logs()));
    const r = await getViaHost(httpPort, '/api/items', shop);
    expect(r.status).toBe(200);
    expect(r.body).toContain('host=api-0');
  });

  it('serves an Ingress TLS host with its kubernetes.io/tls Secret, and other hosts with a platform-CA certificate (SNI)', async () => {
    const ca = await createCa({ commonName: 'services-test-ca' });
    const leaf = await issueServingCert(ca, { commonName: shop, dnsNames: [shop], ipAddresses: [] });
    apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-tls', namespace: nsA },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(leaf.certPem).toString('base64'), 'tls.key': Buffer.from(leaf.keyPem).toString('base64') },
    });
    const ing = await api2<Record<string, unknown> & { spec: Record<string, unknown> }>(`/apis/networking.k8s.io/v1/namespaces/${nsA}/ingresses/shop`);
    apply({ ...ing, metadata: { name: 'shop', namespace: nsA }, status: undefined, spec: { ...ing.spec, tls: [{ hosts: [shop], secretName: 'shop-tls' }] } });
    const tlsGet = (servername: string, trust = ca.certPem): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = httpsRequestRaw(
          { host: '127.0.0.1', port: httpsPort, path: '/api/secure', servername, ca: trust, headers: { host: servername }, timeout: 3000, agent: false },
          (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const body = await waitFor('HTTPS answers', () => tlsGet(shop).catch(() => undefined), 30_000, 250);
    expect(body).toContain('path=/api/secure host=api-0');
    // A host with no TLS Secret gets a certificate the API issued from the platform CA.
    const auto = `web.${nsA}.flotilla.localhost`;
    const autoBody = await waitFor('HTTPS with a platform certificate', () => tlsGet(auto, p.caCert).catch(() => undefined), 30_000, 250);
    expect(autoBody).toContain('path=/api/secure');
    await expect(tlsGet(auto, ca.certPem)).rejects.toThrow(); // not signed by the Secret's CA
    await expect(tlsGet(shop, p.caCert)).rejects.toThrow(); // and the Secret's host keeps its own certificate
  });
});

describe('clean-up', () => {
  it('removes the proxy container when its Service is deleted', async () => {
    expect(await proxyContainer(nsA, 'api')).toBeDefined();
    ok(kubectl(['delete', 'service', 'api', '-n', nsA]));
    await waitFor(
      'api proxy removed',
      async () =>
        (await docker.listContainers({ all: true, filters: { label: [`flotilla.service=api`, `flotilla.namespace=${nsA}`, `flotilla.node=${nodeName}`] } }))
          .length === 0,
    );
  });
});

function api2<T>(path: string): Promise<T> {
  return api<T>('GET', path);
}
