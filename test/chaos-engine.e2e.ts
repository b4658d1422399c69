// A host must not wear out: namespaces come and go, and the engine's networks, volumes and containers of this
// node are exactly what they were, including what was left while the agent was down.
import { randomBytes } from 'node:crypto';
import { docker, startAgent, waitFor, type AgentProcess } from '../apps/agent/testing/harness';
import { AttackCluster, startAttackCluster } from './support/attacks';

jest.setTimeout(300_000);

const NAMESPACES = Number(process.env.FLOTILLA_CHAOS_NAMESPACES ?? 30);

let c: AttackCluster;
let restarted: AgentProcess | undefined;

beforeAll(async () => {
  c = await startAttackCluster('chaoseng');
});

afterAll(async () => {
  await restarted?.stop();
  await c?.stop();
});

/** This node's Docker objects, by kind, as sorted names: what a test compares before and after. */
async function engineState(nodeName: string): Promise<{ networks: string[]; volumes: string[]; containers: string[] }> {
  const label = { label: [`flotilla.node=${nodeName}`] };
  const [nets, vols, ctrs] = await Promise.all([
    docker.listNetworks({ filters: label }),
    docker.listVolumes({ filters: label }),
    docker.listContainers({ all: true, filters: label }),
  ]);
  return {
    networks: nets.map((n) => n.Name).sort(),
    volumes: (vols.Volumes ?? []).map((v) => v.Name).sort(),
    containers: ctrs.map((x) => (x.Names?.[0] ?? x.Id).replace(/^\//, '')).sort(),
  };
}

const admin = (method: string, path: string, body?: unknown) => c.api(method, path, body, c.p.token);

describe('a clean engine', () => {
  it(`leaves no network, volume or container behind after ${NAMESPACES} namespaces came and went`, async () => {
    const before = await engineState(c.nodeName);
    const run = randomBytes(2).toString('hex');
    const names = Array.from({ length: NAMESPACES }, (_, i) => `chaoseng-${run}-${i}`);
    for (const ns of names) {
      expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
          volumes: [{ name: 'scratch', emptyDir: {} }],
        },
      };
      expect((await admin('POST', `/api/v1/namespaces/${ns}/pods`, pod)).status).toBe(201);
      const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };
      expect((await admin('POST', `/api/v1/namespaces/${ns}/services`, svc)).status).toBe(201);
    }
    await waitFor(
      `${NAMESPACES} pods Running`,
      async () => {
        for (const ns of names) if ((await c.pod('web', ns))?.status?.phase !== 'Running') return false;
        return true;
      },
      150_000,
    );
    const during = await engineState(c.nodeName);
    // The test must see the networks it expects to disappear, or it asserts nothing.
    expect(during.networks.length).toBeGreaterThanOrEqual(before.networks.length + NAMESPACES);

    for (const ns of names) expect([200, 202]).toContain((await admin('DELETE', `/api/v1/namespaces/${ns}`)).status);
    let now = during;
    await waitFor(
      'the engine as it was before',
      async () => {
        now = await engineState(c.nodeName);
        return JSON.stringify(now) === JSON.stringify(before);
      },
      120_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nbefore: ${JSON.stringify(before)}\nnow: ${JSON.stringify(now)}`);
    });
    expect(now).toEqual(before);
    await c.assertIntact();
  });

  it("removes a claim's volume once the claim is deleted, and keeps the volume of a claim that still exists", async () => {
    const run = randomBytes(2).toString('hex');
    const ns = `chaoseng-pvc-${run}`;
    expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
    const claim = (name: string) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
    });
    const writer = (name: string, claimName: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'c',
            image: 'flotilla/busybox:1',
            command: ['sh', '-c', 'echo kept > /data/file && sleep 3600'],
            volumeMounts: [{ name: 'd', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }],
      },
    });
    const claimVolume = async (name: string): Promise<string | undefined> => {
      const vols = await docker.listVolumes({ filters: { label: [`flotilla.node=${c.nodeName}`, `flotilla.pvc=${name}`, `flotilla.namespace=${ns}`] } });
      return vols.Volumes?.[0]?.Name;
    };
    try {
      for (const n of ['gone', 'kept']) {
        expect((await admin('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, claim(n))).status).toBe(201);
        expect((await admin('POST', `/api/v1/namespaces/${ns}/pods`, writer(`w-${n}`, n))).status).toBe(201);
      }
      await waitFor(
        'both writers Running',
        async () => (await c.pod('w-gone', ns))?.status?.phase === 'Running' && (await c.pod('w-kept', ns))?.status?.phase === 'Running',
        90_000,
      );
      const gone = await claimVolume('gone');
      const kept = await claimVolume('kept');
      expect(gone).toBeDefined();
      expect(kept).toBeDefined();

      for (const n of ['gone', 'kept']) expect([200, 202]).toContain((await admin('DELETE', `/api/v1/namespaces/${ns}/pods/w-${n}`)).status);
      expect((await admin('DELETE', `/api/v1/namespaces/${ns}/persistentvolumeclaims/gone`)).status).toBe(200);
      await waitFor("the deleted claim's volume removed", async () => (await claimVolume('gone')) === undefined, 60_000);
      await waitFor('both writers gone', async () => !(await c.pod('w-gone', ns)) && !(await c.pod('w-kept', ns)), 60_000);
      // The agent has run its clean-up since (it removed the other volume): the live claim's volume, with its file, stays.
      expect(await claimVolume('kept')).toBe(kept);
      const reader = writer('r-kept', 'kept');
      reader.spec.containers[0].command = ['sh', '-c', 'cat /data/file && sleep 3600'];
      expect((await admin('POST', `/api/v1/namespaces/${ns}/pods`, { ...reader, metadata: { name: 'r-kept' } })).status).toBe(201);
      await waitFor(
        'the kept claim still holds its file',
        async () => {
          const r = await admin('GET', `/api/v1/namespaces/${ns}/pods/r-kept/log`);
          return r.status === 200 && r.body.includes('kept');
        },
        90_000,
      );
      await c.assertIntact();
    } finally {
      await admin('DELETE', `/api/v1/namespaces/${ns}`);
      await waitFor('the claim test namespace emptied', async () => (await admin('GET', `/api/v1/namespaces/${ns}`)).status === 404, 90_000).catch(
        () => undefined,
      );
      await waitFor("the kept claim's volume removed with its namespace", async () => (await claimVolume('kept')) === undefined, 60_000);
    }
  });

  // Last: it restarts the agent, so assertIntact's "same process" no longer holds afterwards.
  it('removes a network, volume and proxy of a gone namespace left while the agent was down', async () => {
    const before = await engineState(c.nodeName);
    await c.agent.stop();
    const gone = `chaoseng-gone-${randomBytes(2).toString('hex')}`;
    const labels = { 'flotilla.test': '1', 'flotilla.node': c.nodeName, 'flotilla.namespace': gone };
    const net = await docker.createNetwork({ Name: `${c.nodeName}-ns-${gone}`, Driver: 'bridge', Labels: labels });
    await docker.createVolume({
      Name: `${c.nodeName}-orphan-${gone}`,
      Labels: { ...labels, 'flotilla.pod.uid': `uid-${gone}`, 'flotilla.pod.namespace': gone, 'flotilla.pod.name': 'p' },
    });
    await docker.createContainer({
      name: `${c.nodeName}-svc-${gone}`,
      Image: 'flotilla/busybox:1',
      Cmd: ['sleep', '3600'],
      Labels: { ...labels, 'flotilla.role': 'service-proxy', 'flotilla.service': 'web' },
      HostConfig: { NetworkMode: net.id },
    });
    // An object of another node on the same engine: never ours to touch.
    const foreign = await docker.createNetwork({
      Name: `${c.nodeName}-foreign`,
      Driver: 'bridge',
      Labels: { 'flotilla.test': '1', 'flotilla.node': `${c.nodeName}-other`, 'flotilla.namespace': gone },
    });
    try {
      expect((await engineState(c.nodeName)).networks).toContain(`${c.nodeName}-ns-${gone}`);
      restarted = startAgent(c.p, c.nodeName, {
        FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${c.ingressHttpPort}`,
        FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
        FLOTILLA_NODEPORT_ADDRESS: '127.0.0.1',
      });
      let now = before;
      await waitFor(
        'the orphans removed',
        async () => {
          now = await engineState(c.nodeName);
          return JSON.stringify(now) === JSON.stringify(before);
        },
        60_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}\nbefore: ${JSON.stringify(before)}\nnow: ${JSON.stringify(now)}\n${restarted?.logs().slice(-3000)}`);
      });
      expect(now).toEqual(before);
      expect((await docker.getNetwork(foreign.id).inspect()).Name).toBe(`${c.nodeName}-foreign`);
    } finally {
      await docker
        .getNetwork(foreign.id)
        .remove()
        .catch(() => undefined);
    }
  });
});
