// A Docker engine restart is repaired by the agent, without restarting it: pods' containers (which Docker does
// not restart) are re-created in new sandboxes and counted as restarts with a SandboxChanged Event, the Service
// proxy answers by name again, the ingress and the NodePort route to the new pods, and the engine holds no dead
// leftovers.
//
// It restarts the machine's Docker engine (scripts/docker-restart.sh): every container on the host is stopped,
// so it runs only where nothing else uses the engine at the same time: in CI (`CI` set, suites one at a time
// with --runInBand, each suite's containers gone when it ends) or when FLOTILLA_CHAOS_DOCKER_RESTART=1 asks for it.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { KubeEvent, Pod } from '@flotilla/resources';
import { docker, waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, startAttackCluster } from './support/attacks';
import { getViaHost } from './support/platform';

jest.setTimeout(300_000);

const ENABLED = !!process.env.CI || process.env.FLOTILLA_CHAOS_DOCKER_RESTART === '1';
/** The bound: Services answer by name from a pod again within 30 s of the engine answering. */
const REPAIR_BOUND_MS = 30_000;

let c: AttackCluster;
const admin = (method: string, path: string, body?: unknown) => c.api(method, path, body, c.p.token);

/** The pod when it is Ready with an address, else undefined. */
async function readyPod(name: string): Promise<Pod | undefined> {
  const pod = await c.pod(name);
  return pod?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && pod.status.podIP ? pod : undefined;
}

/** What `wget http://web/` prints from inside the client pod's current container, or undefined. */
async function fetchByName(): Promise<string | undefined> {
  const id = (await readyPod('client'))?.status?.containerStatuses?.[0]?.containerID?.replace('docker://', '');
  if (!id) return undefined;
  try {
    return execFileSync('docker', ['exec', id, 'sh', '-c', 'timeout 3 wget -qO- http://web/'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    return undefined;
  }
}

function restartDocker(): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(__dirname, '..', 'scripts', 'docker-restart.sh')], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`docker restart failed: ${err.message}\n${stdout}\n${stderr}`));
      resolve(Number(stdout.trim().split('\n').pop()));
    });
  });
}

async function nodeReady(): Promise<boolean> {
  const r = await admin('GET', `/api/v1/nodes/${c.nodeName}`);
  const conditions = (r.json().status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((x) => x.type === 'Ready' && x.status === 'True');
}

const pod = (name: string, labels: Record<string, string>, script: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sh', '-c', script] }] },
});

/** The SandboxChanged events of the tenant namespace, by pod name. */
async function sandboxChangedEvents(): Promise<Map<string, KubeEvent[]>> {
  const list = (await admin('GET', `/api/v1/namespaces/${c.ns}/events`)).json() as { items?: KubeEvent[] };
  const out = new Map<string, KubeEvent[]>();
  for (const e of list.items ?? []) {
    if (e.reason !== 'SandboxChanged' || e.involvedObject.kind !== 'Pod') continue;
    const name = e.involvedObject.name ?? '';
    out.set(name, [...(out.get(name) ?? []), e]);
  }
  return out;
}

function expectKubeletWording(events: KubeEvent[]): void {
  for (const e of events) {
    expect(e.type).toBe('Normal');
    expect(e.message).toBe('Pod sandbox changed, it will be killed and re-created.');
    expect(e.source?.host).toBe(c.nodeName);
  }
}

beforeAll(async () => {
  c = await startAttackCluster('chaosdr');
});

afterAll(async () => {
  await c?.stop();
});

// Runs everywhere: the same repair path as an engine restart, for one pod, without stopping the engine.
describe('a dead sandbox', () => {
  it("is re-created with the pod's containers, which count a restart, and a SandboxChanged event says so", async () => {
    expect((await admin('POST', `/api/v1/namespaces/${c.ns}/pods`, pod('lone', { app: 'lone' }, 'exec sleep 3600'))).status).toBe(201);
    const first = await waitFor('lone Ready', () => readyPod('lone'), 60_000);
    const [sandbox] = await docker.listContainers({ filters: { label: [`flotilla.pod.uid=${first.metadata.uid}`, 'flotilla.role=sandbox'] } });
    expect(sandbox).toBeDefined();
    await docker.getContainer(sandbox.Id).kill();
    const after = await waitFor(
      'lone running again with a restart counted',
      async () => {
        const x = await readyPod('lone');
        return (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
      },
      30_000,
    );
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(after.status?.containerStatuses?.[0]?.containerID).not.toBe(first.status?.containerStatuses?.[0]?.containerID);
    const events = await waitFor('a SandboxChanged event for lone', async () => (await sandboxChangedEvents()).get('lone'));
    expect(events).toHaveLength(1);
    expectKubeletWording(events);
    expect([200, 202]).toContain((await admin('DELETE', `/api/v1/namespaces/${c.ns}/pods/lone`)).status);
    await waitFor('lone gone', async () => !(await c.pod('lone')), 60_000);
    await c.assertIntact();
  });
});

(ENABLED ? describe : describe.skip)('a Docker engine restart', () => {
  it('is repaired by the same agent: Services by name, ingress, NodePort, restart counts and SandboxChanged events', async () => {
    const ns = c.ns;
    const created = [
      await admin(
        'POST',
        `/api/v1/namespaces/${ns}/pods`,
        pod('web', { app: 'web' }, 'mkdir -p /tmp/www && echo served-by-web > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'),
      ),
      await admin('POST', `/api/v1/namespaces/${ns}/pods`, pod('client', { app: 'client' }, 'exec sleep 3600')),
      await admin('POST', `/api/v1/namespaces/${ns}/services`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      }),
    ];
    for (const r of created) expect(r.status).toBe(201);
    const svc = (await admin('GET', `/api/v1/namespaces/${ns}/services/web`)).json() as { spec: { ports: { nodePort: number }[] } };
    const nodePort = svc.spec.ports[0].nodePort;
    const host = `web.${ns}.flotilla.localhost`;
    const routes = async (): Promise<boolean> => {
      const [byName, ingress, np] = await Promise.all([
        fetchByName(),
        getViaHost(c.ingressHttpPort, '/', host).catch(() => undefined),
        getViaHost(nodePort, '/', 'x').catch(() => undefined),
      ]);
      return !!byName?.includes('served-by-web') && !!ingress?.body.includes('served-by-web') && !!np?.body.includes('served-by-web');
    };
    await waitFor('web by name, ingress and NodePort before the restart', routes, 90_000, 250);
    const before = new Map<string, string | undefined>();
    for (const name of ['web', 'client']) {
      const p = await c.pod(name);
      expect(p?.status?.containerStatuses?.[0]?.restartCount).toBe(0);
      before.set(name, p?.status?.containerStatuses?.[0]?.containerID);
    }

    const outageS = await restartDocker();
    const back = Date.now();
    // Measured for the README's "what survives what" table.
    process.stdout.write(`docker restart: engine away ${outageS}s\n`);

    await waitFor('web answers by name from the client pod again', async () => (await fetchByName())?.includes('served-by-web'), REPAIR_BOUND_MS, 250).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}\nagent log:\n${c.agent.logs().slice(-4000)}`);
      },
    );
    const byNameMs = Date.now() - back;
    await waitFor('the ingress and the NodePort route to the new web pod', routes, REPAIR_BOUND_MS, 250);
    process.stdout.write(`docker restart: Service by name after ${byNameMs} ms, all routes after ${Date.now() - back} ms\n`);
    expect(byNameMs).toBeLessThan(REPAIR_BOUND_MS);

    for (const name of ['web', 'client']) {
      const p = await waitFor(`${name}'s restart count rose`, async () => {
        const x = await c.pod(name);
        return (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
      });
      // A new container, not the old one started again.
      expect(p.status?.containerStatuses?.[0]?.containerID).not.toBe(before.get(name));
    }
    const sandboxChanged = await waitFor('a SandboxChanged event for each pod', async () => {
      const byPod = await sandboxChangedEvents();
      return byPod.has('web') && byPod.has('client') ? [...byPod.get('web')!, ...byPod.get('client')!] : undefined;
    });
    expectKubeletWording(sandboxChanged);

    // The engine ends clean: every container of this node runs (no dead sandbox or proxy left behind).
    await waitFor(
      'only running containers on this node',
      async () => {
        const all = await docker.listContainers({ all: true, filters: { label: [`flotilla.node=${c.nodeName}`] } });
        return all.length > 0 && all.every((x) => x.State === 'running');
      },
      30_000,
    );
    const proxies = await docker.listContainers({ filters: { label: [`flotilla.node=${c.nodeName}`, 'flotilla.role=service-proxy'] } });
    expect(proxies.map((x) => x.Labels['flotilla.service'])).toEqual(['web']);
    await waitFor('node Ready again', nodeReady, 60_000);
    // Same agent process throughout, bait untouched, no foreign engine objects appeared.
    await c.assertIntact();
  });
});
