// The node agent against the real API and the real Docker engine: node registration, lease, pods bound to
// the node turned into containers with Kubernetes-shaped status, ConfigMap/Secret data, deletion.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Lease, Node, Pod } from '@flotilla/resources';
import { caCertHash } from '@flotilla/pki';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import { adminApi, KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { endAgentSuite } from './support/agent-suite';

jest.setTimeout(120_000);

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
let agent: AgentProcess;
const run = randomBytes(3).toString('hex');
const nodeName = `agent-node-${run}`;
const ns = `an-${run}`;

function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; obj: T }> {
  return adminApi<T>(p, method, path, body);
}

const getPod = async (name: string): Promise<Pod | undefined> => {
  const r = await api<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  return r.status === 200 ? r.obj : undefined;
};

const readyPod = (name: string, timeoutMs = 30_000): Promise<Pod> =>
  waitFor(
    `pod ${name} Ready`,
    async () => {
      const pod = await getPod(name);
      return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pod : undefined;
    },
    timeoutMs,
  );

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startPlatform();
  kubectl = kubectlFor(p);
  ok(kubectl(['create', 'namespace', ns]));
  agent = startAgent(p, nodeName, { FLOTILLA_LEASE_SECONDS: '1' });
  // The Node is created first and its status written after: wait for the status, not the object.
  await waitFor(
    'node registered and Ready',
    async () => {
      const r = await api<Node>('GET', `/api/v1/nodes/${nodeName}`);
      return r.status === 200 && r.obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && r.obj.status.capacity !== undefined;
    },
    60_000,
  );
});

afterAll(() => endAgentSuite(p, agent, nodeName, [ns]));

describe('node', () => {
  it('registers its Node with capacity, labels, addresses, nodeInfo and honest conditions', async () => {
    const node = (await api<Node>('GET', `/api/v1/nodes/${nodeName}`)).obj;
    const info = (await docker.info()) as { NCPU: number; MemTotal: number; ServerVersion: string };
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': expect.stringMatching(/^(amd64|arm64)$/),
      'node.kubernetes.io/instance-type': 'docker',
    });
    const st = node.status!;
    expect(st.capacity).toMatchObject({ cpu: String(info.NCPU), memory: `${Math.floor(info.MemTotal / 1024)}Ki`, pods: '110' });
    expect(st.allocatable?.pods).toBe('110');
    expect(st.allocatable?.cpu).toBe(`${info.NCPU * 1000 - 100}m`);
    expect(st.addresses?.map((a) => a.type)).toEqual(['InternalIP', 'Hostname']);
    expect(st.nodeInfo).toMatchObject({
      containerRuntimeVersion: `docker://${info.ServerVersion}`,
      kubeletVersion: 'v1.32.0-flotilla',
      operatingSystem: 'linux',
    });
    const conds = Object.fromEntries((st.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conds).toEqual({ MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' });
    const out = ok(kubectl(['get', 'node', nodeName]));
    expect(out).toMatch(new RegExp(`${nodeName}\\s+Ready`));
  });

  it('renews its Lease in kube-node-lease in MicroTime format', async () => {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`;
    const first = await waitFor('lease', async () => {
      const r = await api<Lease>('GET', path);
      return r.status === 200 ? r.obj : undefined;
    });
    expect(first.spec.holderIdentity).toBe(nodeName);
    expect(first.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(first.spec.leaseDurationSeconds).toBeGreaterThan(0);
    const later = await waitFor('lease renewed', async () => {
      const r = await api<Lease>('GET', path);
      return r.obj.spec.renewTime !== first.spec.renewTime ? r.obj : undefined;
    });
    expect(Date.parse(later.spec.renewTime!)).toBeGreaterThan(Date.parse(first.spec.renewTime!));
  });
});

describe('pods', () => {
  it('runs a pod bound to the node and reports its status as Kubernetes does', async () => {
    ok(kubectl(['create', 'configmap', 'cfg', '-n', ns, '--from-literal=GREETING=hello']));
    ok(kubectl(['create', 'secret', 'generic', 'sec', '-n', ns, '--from-literal=PASSWORD=s3cr3t']));
    ok(
      kubectl(
        ['apply', '-f', '-'],
        `
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${ns}, labels: { app: web } }
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 1
  initContainers:
    - { name: init, image: busybox, command: [sh, -c, 'echo init done'] }
  containers:
    - name: web
      image: nginx:1.27
      ports: [{ containerPort: 80 }]
      env:
        - { name: GREETING, valueFrom: { configMapKeyRef: { name: cfg, key: GREETING } } }
        - { name: PASSWORD, valueFrom: { secretKeyRef: { name: sec, key: PASSWORD } } }
`,
      ),
    );
    const pod = await readyPod('web');
    const st = pod.status as NonNullable<Pod['status']> & { hostIPs?: { ip: string }[]; qosClass?: string };
    expect(st.phase).toBe('Running');
    expect(st.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    expect(st.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(st.hostIPs).toEqual([{ ip: st.hostIP }]);
    expect(st.qosClass).toBe('BestEffort');
    expect(st.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.fromEntries(st.conditions!.map((c) => [c.type, c.status]))).toEqual({
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    const [c] = st.containerStatuses!;
    expect(c).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, image: 'nginx:1.27', lastState: {} });
    expect(c.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
    expect(c.state?.running?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [i] = st.initContainerStatuses!;
    expect(i.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });

    // The environment came from the ConfigMap and the (base64-decoded) Secret through the API.
    const id = c.containerID!.replace('docker://', '');
    const env = (await docker.getContainer(id).inspect()).Config.Env;
    expect(env).toEqual(expect.arrayContaining(['GREETING=hello', 'PASSWORD=s3cr3t']));
    const out = ok(kubectl(['get', 'pod', 'web', '-n', ns, '-o', 'wide']));
    expect(out).toMatch(new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${String(st.podIP).replace(/\./g, '\\.')}\\s+${nodeName}`));
  });

  it('does not write status when nothing changed', async () => {
    const before = (await getPod('web'))!.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await getPod('web'))!.metadata.resourceVersion).toBe(before);
  });

  it('stops the containers of a deleted pod and lets the API remove it', async () => {
    const uid = (await getPod('web'))!.metadata.uid!;
    ok(kubectl(['delete', 'pod', 'web', '-n', ns, '--timeout=30s']));
    expect(await getPod('web')).toBeUndefined();
    const left = await docker.listContainers({ all: true, filters: { label: [`flotilla.pod.uid=${uid}`] } });
    expect(left).toHaveLength(0);
  });

  it('reports a missing image as ErrImagePull/ImagePullBackOff', async () => {
    ok(
      kubectl(
        ['apply', '-f', '-'],
        `
apiVersion: v1
kind: Pod
metadata: { name: noimage, namespace: ${ns} }
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 0
  containers: [{ name: app, image: 127.0.0.1:1/flotilla/does-not-exist:1 }]
`,
      ),
    );
    const pod = await waitFor('pull failure reported', async () => {
      const pod = await getPod('noimage');
      const reason = pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return reason === 'ErrImagePull' || reason === 'ImagePullBackOff' ? pod : undefined;
    });
    expect(pod.status?.phase).toBe('Pending');
    ok(kubectl(['delete', 'pod', 'noimage', '-n', ns, '--timeout=30s']));
  });
});

describe('CA pinning', () => {
  it('refuses to join when FLOTILLA_CA_HASH does not match the CA the server presents', async () => {
    const bad = startAgent(p, `pin-bad-${run}`, { FLOTILLA_CA_FILE: '', FLOTILLA_CA_HASH: `sha256:${'0'.repeat(64)}` });
    const code = await bad.exited();
    expect(code).toBe(3);
    expect(bad.logs()).toMatch(/refusing to join: no CA presented by .* matches FLOTILLA_CA_HASH sha256:0{64}/);
    expect((await api('GET', `/api/v1/nodes/pin-bad-${run}`)).status).toBe(404);
  });

  it('joins with the right CA hash and verifies the server from then on', async () => {
    const name = `pin-ok-${run}`;
    const good = startAgent(p, name, { FLOTILLA_CA_FILE: '', FLOTILLA_CA_HASH: caCertHash(p.caCert) });
    try {
      const outcome = await Promise.race([
        waitFor('pinned node registered', async () => (await api('GET', `/api/v1/nodes/${name}`)).status === 200, 60_000).then(() => 'joined'),
        good.exited().then(() => 'exited'),
      ]);
      // The API presents only its serving certificate (the CA is not in its chain and there is no
      // cluster-info document yet): then the agent must refuse rather than trust an unpinned CA.
      if (outcome === 'exited') expect(good.logs()).toMatch(/refusing to join/);
      else expect(outcome).toBe('joined');
    } finally {
      await good.stop();
      await cleanupNode(name);
    }
  });
});
