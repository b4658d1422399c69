// Namespaces past Docker's default address pools (about 30 bridge networks) still get a network: the runtime
// hands out /24s of FLOTILLA_NAMESPACE_SUBNETS, and a pod in such a namespace runs. Against the real engine;
// everything labelled and removed.
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import type { Pod } from '@flotilla/resources';
import { DockerRuntime, cidrRange } from '@flotilla/runtime';
import { eventually } from './support/eventually';

jest.setTimeout(180_000);

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const run = randomUUID().slice(0, 6);
const testLabels = { 'flotilla.test': '1', 'flotilla.test-run': `subnets-${run}` };
const POOL = '10.251.0.0/22'; // four /24s: enough to show the fallback, and that it ends with a clear error

const rt = new DockerRuntime({ docker, nodeName: `subnets-${run}`, extraLabels: testLabels, namespaceSubnets: POOL });
const resolver = { configMap: async () => undefined, secret: async () => undefined };

async function cleanup(): Promise<void> {
  const filters = { label: [`flotilla.test-run=subnets-${run}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true });
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
}

afterAll(async () => {
  await cleanup();
  await rt.close();
});

it('gives namespaces past the engine pools a /24 of its own range, runs a pod there, and says when that is full', async () => {
  // Use up what is left of Docker's own pools, as 30 namespaces would.
  const fillers: string[] = [];
  for (let i = 0; i < 64; i++) {
    try {
      const n = await docker.createNetwork({ Name: `subnets-${run}-fill-${i}`, Driver: 'bridge', Labels: testLabels });
      fillers.push(n.id);
    } catch (e) {
      expect(String((e as Error).message)).toMatch(/non-overlapping IPv4 address pool/);
      break;
    }
  }
  expect(fillers.length).toBeLessThan(64);

  const range = cidrRange(POOL)!;
  const subnets: string[] = [];
  for (let i = 0; i < 4; i++) {
    const net = await rt.ensureNamespaceNetwork(`sn${run}-${i}`);
    const subnet = String((await docker.getNetwork(net.id).inspect()).IPAM?.Config?.[0]?.Subnet);
    const [first] = cidrRange(subnet)!;
    expect(first >= range[0] && first <= range[1]).toBe(true);
    subnets.push(subnet);
  }
  expect(new Set(subnets).size).toBe(4);
  await expect(rt.ensureNamespaceNetwork(`sn${run}-full`)).rejects.toThrow(/no address space left for namespace networks/);

  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: `sn${run}-0`, uid: randomUUID() },
    spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '300'] }] },
  };
  const status = await eventually(
    async () => {
      const s = await rt.syncPod(pod, resolver);
      if (s.phase !== 'Running' || !s.podIP) throw new Error(`not running yet: ${JSON.stringify(s)}`);
      return s;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const [pfirst] = cidrRange(`${subnets[0].split('/')[0]}/24`)!;
  const ip = cidrRange(`${status.podIP}/32`)![0];
  expect(ip - pfirst).toBeGreaterThan(0);
  expect(ip - pfirst).toBeLessThan(256);
  await rt.killPod(pod, 0);
});
