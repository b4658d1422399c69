// Reading another tenant's app through hand-written Endpoints (Kubernetes' CVE-2021-25740). The first wall is
// RBAC: an editor may not write Endpoints or EndpointSlices at all. The second wall is the agent: even
// Endpoints written by a cluster admin (or by a bug) are routed by the ingress, NodePorts and the in-namespace
// service proxy only to addresses of pods of the Service's own namespace.
import { request as httpRequest } from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { KubeObject, Pod } from '@flotilla/resources';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, kubectlOk, startAttackCluster } from './support/attacks';
import { freePort } from './support/platform';

jest.setTimeout(180_000);

let c: AttackCluster;
const secret = `victim-secret-${randomBytes(4).toString('hex')}`;
const mine = `tenant-page-${randomBytes(4).toString('hex')}`;
let victim: Pod;
let web: Pod;
let probe: Pod;
let stealNodePort: number;

const admin = (method: string, path: string, body?: unknown) => c.api(method, path, body, c.p.token);

function pod(ns: string, name: string, labels: Record<string, string>, container: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', ...container }] },
  } as KubeObject;
}

const echo = (message: string) => ({ image: 'flotilla/echo:1', env: [{ name: 'MESSAGE', value: message }], ports: [{ name: 'http', containerPort: 8080 }] });

function endpoints(ns: string, name: string, ip: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns }, subsets: [{ addresses: [{ ip }], ports: [{ port: 8080 }] }] } as KubeObject;
}

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec } } as KubeObject;
}

async function ready(ns: string, name: string): Promise<Pod> {
  return waitFor(
    `${ns}/${name} Ready`,
    async () => {
      const p = await c.pod(name, ns);
      return p?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && p.status.podIP ? p : undefined;
    },
    90_000,
  );
}

/** GET from the host on address:port with a Host header; a refused, reset or timed-out connection is status 0. */
function get(port: number, host: string, address = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: address, port, path: '/', headers: { host, connection: 'close' }, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/**
 * An HTTP GET to host:80 from inside the attacker's probe pod; the answer, or '' when it failed. With nc and
 * `timeout`: Debian's busybox wget crashes on `-T`, and a plain nc shows the raw answer.
 */
function fromProbe(host: string): string {
  const id = (probe.status?.containerStatuses?.[0]?.containerID ?? '').replace('docker://', '');
  const script = `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | timeout 3 nc ${host} 80`;
  try {
    return execFileSync('docker', ['exec', id, 'sh', '-c', script], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    lastProbeError = `${host}: ${(e as { stderr?: string }).stderr ?? String(e)}`;
    return '';
  }
}
let lastProbeError = '';

const ingressHost = (svc: string) => `${svc}.${c.ns}.flotilla.localhost`;

/** What the agent saw, for a failure message. */
async function diagnose<T>(what: Promise<T>): Promise<T> {
  try {
    return await what;
  } catch (e) {
    const eps = await admin('GET', `/api/v1/namespaces/${c.ns}/endpoints`);
    const proxies = execFileSync('docker', ['ps', '-a', '--filter', `label=flotilla.node=${c.nodeName}`, '--format', '{{.Names}} {{.Status}}'], {
      encoding: 'utf8',
    });
    const proxyLogs = execFileSync(
      'sh',
      ['-c', `docker ps -aq --filter label=flotilla.node=${c.nodeName} --filter label=flotilla.role=service-proxy | xargs -r -n1 docker logs --tail 20 2>&1`],
      { encoding: 'utf8' },
    );
    throw new Error(
      `${String(e)}\nlast probe error: ${lastProbeError}\nendpoints: ${eps.body}\ncontainers:\n${proxies}\nproxy logs:\n${proxyLogs}\nagent:\n${c.agent.logs().slice(-6000)}`,
    );
  }
}

beforeAll(async () => {
  stealNodePort = 30000 + ((await freePort()) % 2768);
  c = await startAttackCluster('atkep');
  const made = await admin('POST', `/api/v1/namespaces/${c.victimNs}/pods`, pod(c.victimNs, 'secret', { app: 'secret' }, echo(secret)));
  if (made.status !== 201) throw new Error(`victim pod: ${made.status} ${made.body}`);
  kubectlOk(c.applyAsTenant(pod(c.ns, 'web', { app: 'web' }, echo(mine))));
  kubectlOk(c.applyAsTenant(pod(c.ns, 'probe', { app: 'probe' }, { image: 'flotilla/busybox:1', command: ['sleep', '3600'] })));
  kubectlOk(c.applyAsTenant(service('web', { selector: { app: 'web' } })));
  [victim, web, probe] = await Promise.all([ready(c.victimNs, 'secret'), ready(c.ns, 'web'), ready(c.ns, 'probe')]);
});

afterAll(async () => {
  await c?.stop();
});

describe('hand-written Endpoints towards another tenant', () => {
  it('the victim really serves its page (so a miss below is the wall, not a dead pod)', async () => {
    // The host reaches every namespace bridge: this is exactly what the attack would use.
    const r = await waitFor('victim answers on its pod IP', async () => {
      const x = await get(8080, 'victim', victim.status!.podIP!);
      return x.status === 200 ? x : undefined;
    });
    expect(r.body).toContain(secret);
  });

  it('an editor may not write Endpoints or EndpointSlices (403)', async () => {
    const ep = await c.api('POST', `/api/v1/namespaces/${c.ns}/endpoints`, endpoints(c.ns, 'steal', victim.status!.podIP!));
    expect(ep.status).toBe(403);
    const slice = await c.api('POST', `/apis/discovery.k8s.io/v1/namespaces/${c.ns}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'steal-x', labels: { 'kubernetes.io/service-name': 'steal' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [victim.status!.podIP!] }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    // 404 while the API serves no EndpointSlices at all; 403 once it does and RBAC refuses.
    expect([403, 404]).toContain(slice.status);
    expect(c.kubectl(['create', '-n', c.ns, '-f', '-'], JSON.stringify(endpoints(c.ns, 'steal', victim.status!.podIP!))).code).not.toBe(0);
  });

  it('Endpoints a cluster admin wrote for the victim pod are routed by neither the ingress, a NodePort nor the service proxy', async () => {
    kubectlOk(c.applyAsTenant(service('steal', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: stealNodePort }] })));
    const stolen = await admin('POST', `/api/v1/namespaces/${c.ns}/endpoints`, endpoints(c.ns, 'steal', victim.status!.podIP!));
    expect(stolen.status).toBe(201);
    // Control: hand-written Endpoints towards the tenant's own pod are routed. Written after the hostile ones,
    // so once this answers, the agent has reconciled with both in its cache.
    kubectlOk(c.applyAsTenant(service('own', {})));
    expect((await admin('POST', `/api/v1/namespaces/${c.ns}/endpoints`, endpoints(c.ns, 'own', web.status!.podIP!))).status).toBe(201);
    const own = await waitFor('own answers through the ingress', async () => {
      const r = await get(c.ingressHttpPort, ingressHost('own'));
      return r.status === 200 ? r : undefined;
    });
    expect(own.body).toContain(mine);
    expect(await diagnose(waitFor('own answers through its service proxy', async () => fromProbe('own') || undefined))).toContain(mine);

    // Several tries over a few seconds: not one may reach the victim.
    for (let i = 0; i < 5; i++) {
      const viaIngress = await get(c.ingressHttpPort, ingressHost('steal'));
      expect(viaIngress.body).not.toContain(secret);
      expect(viaIngress.status).not.toBe(200);
      const viaNodePort = await get(stealNodePort, 'x');
      expect(viaNodePort.body).not.toContain(secret);
      expect(viaNodePort.status).not.toBe(200);
      expect(fromProbe('steal')).not.toContain(secret);
      expect(fromProbe(`steal.${c.ns}.svc`)).not.toContain(secret);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The agent tells the tenant why the Service has no backends (after its grace period for a fresh pod).
    const event = await diagnose(
      waitFor(
        'FailedToRoute event on steal',
        async () => {
          const list = (await admin('GET', `/api/v1/namespaces/${c.ns}/events?fieldSelector=${encodeURIComponent('involvedObject.name=steal')}`)).json() as {
            items?: { reason?: string; type?: string; message?: string }[];
          };
          return list.items?.find((e) => e.reason === 'FailedToRoute');
        },
        30_000,
      ),
    );
    expect(event.type).toBe('Warning');
    expect(event.message).toContain(victim.status!.podIP!);
  });

  it('a normal Service still works through the ingress and its service proxy', async () => {
    const r = await diagnose(
      waitFor('web answers through the ingress', async () => {
        const x = await get(c.ingressHttpPort, ingressHost('web'));
        return x.status === 200 ? x : undefined;
      }),
    );
    expect(r.body).toContain(mine);
    expect(await waitFor('web answers through its service proxy', async () => fromProbe('web') || undefined)).toContain(mine);
    await c.assertIntact();
  });
});
