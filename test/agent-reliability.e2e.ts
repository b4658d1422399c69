// Reliability of the agent against the real Docker engine: killed containers restart per policy, an agent
// restart adopts running pods without restarting them, crash loops back off, OOM kills are reported.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerStatus, Pod } from '@flotilla/resources';
import { AgentProcess, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import { httpsRequest, KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { endAgentSuite } from './support/agent-suite';

jest.setTimeout(120_000);

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
let agent: AgentProcess;
const run = randomBytes(3).toString('hex');
const nodeName = `agent-rel-${run}`;
const ns = `ar-${run}`;
const agentEnv = { FLOTILLA_BACKOFF_BASE_MS: '400', FLOTILLA_RESYNC_SECONDS: '2' };

async function getPod(name: string): Promise<Pod | undefined> {
  const r = await httpsRequest(p.url, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`, p.caCert, { authorization: `Bearer ${p.token}` });
  return r.status === 200 ? (JSON.parse(r.body) as Pod) : undefined;
}

const cs = async (pod: string, container: string): Promise<ContainerStatus | undefined> =>
  (await getPod(pod))?.status?.containerStatuses?.find((c) => c.name === container);

const pod = (name: string, spec: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${name} } }
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 0
${spec}`;

async function nodeContainers(): Promise<{ id: string; startedAt: string }[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`flotilla.node=${nodeName}`] } });
  return Promise.all(list.map(async (c) => ({ id: c.Id, startedAt: (await docker.getContainer(c.Id).inspect()).State.StartedAt })));
}

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startPlatform();
  kubectl = kubectlFor(p);
  ok(kubectl(['create', 'namespace', ns]));
  agent = startAgent(p, nodeName, agentEnv);
});

afterAll(() => endAgentSuite(p, agent, nodeName, [ns]));

it('restarts a killed container per restartPolicy and the restart count rises in the API', async () => {
  ok(kubectl(['apply', '-f', '-'], pod('victim', '  containers: [{ name: app, image: busybox, command: [sleep, "3600"] }]')));
  const first = await waitFor('victim running', async () => {
    const s = await cs('victim', 'app');
    return s?.state?.running ? s : undefined;
  });
  await docker.getContainer(first.containerID!.replace('docker://', '')).kill();
  const after = await waitFor(
    'restart reported',
    async () => {
      const s = await cs('victim', 'app');
      return s && s.restartCount === 1 && s.state?.running ? s : undefined;
    },
    20_000,
  );
  expect(after.containerID).not.toBe(first.containerID);
  expect(after.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  expect(ok(kubectl(['get', 'pod', 'victim', '-n', ns]))).toMatch(/victim\s+1\/1\s+Running\s+1 \(/);
});

it('adopts running pods after an agent restart: nothing restarted, nothing leaked, orphans removed', async () => {
  ok(kubectl(['apply', '-f', '-'], pod('steady', '  containers: [{ name: a, image: busybox, command: [sleep, "3600"] }, { name: b, image: nginx:1.27 }]')));
  ok(kubectl(['apply', '-f', '-'], pod('doomed', '  containers: [{ name: a, image: busybox, command: [sleep, "3600"] }]')));
  await waitFor('both ready', async () => {
    const [s, d] = await Promise.all([getPod('steady'), getPod('doomed')]);
    return [s, d].every((x) => x?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });
  const doomedUid = (await getPod('doomed'))!.metadata.uid!;
  const steadyRv = (await getPod('steady'))!.metadata.resourceVersion;

  await agent.kill();
  // While the agent is down the pod is removed from the API (force delete): its containers are orphans now.
  ok(kubectl(['delete', 'pod', 'doomed', '-n', ns, '--grace-period=0', '--force']));
  const before = (await nodeContainers()).filter((c) => c.id);
  const doomedIds = new Set((await docker.listContainers({ all: true, filters: { label: [`flotilla.pod.uid=${doomedUid}`] } })).map((c) => c.Id));
  expect(doomedIds.size).toBeGreaterThan(0);

  agent = startAgent(p, nodeName, agentEnv);
  await waitFor(
    'orphans removed',
    async () => (await docker.listContainers({ all: true, filters: { label: [`flotilla.pod.uid=${doomedUid}`] } })).length === 0,
  );
  await new Promise((r) => setTimeout(r, 2500)); // a full resync later
  const after = await nodeContainers();
  const expected = before.filter((c) => !doomedIds.has(c.id));
  expect(after.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
  for (const c of expected) expect(after.find((a) => a.id === c.id)?.startedAt).toBe(c.startedAt);
  // Status was already right: the adopted pod needed no write.
  expect((await getPod('steady'))!.metadata.resourceVersion).toBe(steadyRv);
});

it('backs off a crashing container with growing delays (CrashLoopBackOff)', async () => {
  ok(kubectl(['apply', '-f', '-'], pod('crasher', '  containers: [{ name: app, image: busybox, command: [sh, -c, "exit 2"] }]')));
  const delays = new Set<string>();
  await waitFor(
    'three back-off delays',
    async () => {
      const w = (await cs('crasher', 'app'))?.state?.waiting;
      if (w?.reason === 'CrashLoopBackOff') {
        const m = /back-off (\S+) restarting/.exec(w.message ?? '');
        if (m) delays.add(m[1]);
      }
      return delays.size >= 3;
    },
    // Under load the short first windows (500 ms, 1 s) can pass between two status writes; the later ones
    // (2 s, 4 s, 8 s) are each seen, so three distinct delays may take until the fifth restart.
    { timeoutMs: 90_000, intervalMs: 40, context: () => `delays seen: ${[...delays].join(', ') || 'none'}` },
  );
  const ms = [...delays].map((d) => (d.endsWith('ms') ? Number(d.slice(0, -2)) : Number(d.replace(/s$/, '')) * 1000));
  for (let i = 1; i < ms.length; i++) expect(ms[i]).toBeGreaterThan(ms[i - 1]);
  const s = await cs('crasher', 'app');
  expect(s?.restartCount).toBeGreaterThanOrEqual(2);
  expect(s?.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  expect(ok(kubectl(['get', 'pod', 'crasher', '-n', ns]))).toMatch(/crasher\s+0\/1\s+(CrashLoopBackOff|Error|Running)/);
});

it('reports an out-of-memory kill as OOMKilled', async () => {
  ok(
    kubectl(
      ['apply', '-f', '-'],
      pod(
        'hog',
        `  restartPolicy: Never
  containers:
    - name: app
      image: busybox
      command: [sh, -c, 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done']
      resources: { limits: { memory: 24Mi } }`,
      ),
    ),
  );
  // 25 s at load average 20 (doubling a shell string to 24 MiB is CPU-bound): a generous bound.
  const s = await waitFor(
    'OOM reported',
    async () => {
      const c = await cs('hog', 'app');
      return c?.state?.terminated ? c : undefined;
    },
    90_000,
  );
  expect(s.state?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  expect((await getPod('hog'))?.status?.phase).toBe('Failed');
  expect(ok(kubectl(['get', 'pod', 'hog', '-n', ns]))).toMatch(/hog\s+0\/1\s+OOMKilled/);
});
