// `kubectl logs` through the API: the agent ships container output to capped Redis streams, the API's
// pods/log reads them (tail, since, timestamps, previous, follow, default container, workloads).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Pod } from '@flotilla/resources';
import { AgentProcess, startAgent, waitFor } from '../apps/agent/testing/harness';
import { httpsRequest, KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { endAgentSuite } from './support/agent-suite';

jest.setTimeout(120_000);

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
let agent: AgentProcess;
const run = randomBytes(3).toString('hex');
const nodeName = `agent-logs-${run}`;
const ns = `al-${run}`;

async function getPod(name: string): Promise<Pod | undefined> {
  const r = await httpsRequest(p.url, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`, p.caCert, { authorization: `Bearer ${p.token}` });
  return r.status === 200 ? (JSON.parse(r.body) as Pod) : undefined;
}

const apply = (yaml: string): string => ok(kubectl(['apply', '-f', '-'], yaml));

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startPlatform();
  kubectl = kubectlFor(p);
  ok(kubectl(['create', 'namespace', ns]));
  agent = startAgent(p, nodeName, { FLOTILLA_BACKOFF_BASE_MS: '300' });
  apply(`
apiVersion: v1
kind: Pod
metadata: { name: chatty, namespace: ${ns}, labels: { app: chatty } }
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 0
  containers:
    - name: app
      image: busybox
      command: [sh, -c, 'i=0; while true; do i=$((i+1)); echo "line $i"; echo "warn $i" >&2; sleep 0.2; done']
    - name: crash
      image: busybox
      command: [sh, -c, 'echo "started $(date +%s%N)"; sleep 1; exit 1']
`);
  await waitFor('chatty running', async () => (await getPod('chatty'))?.status?.containerStatuses?.find((c) => c.name === 'app')?.state?.running, 30_000);
});

afterAll(() => endAgentSuite(p, agent, nodeName, [ns]));

it('shows a container’s stdout and stderr', async () => {
  const out = await waitFor('a few lines', async () => {
    const o = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app']));
    return o.includes('line 3') ? o : undefined;
  });
  // stdout lines in order; stderr interleaves as Docker read the two pipes.
  expect(
    out
      .split('\n')
      .filter((l) => l.startsWith('line'))
      .slice(0, 3),
  ).toEqual(['line 1', 'line 2', 'line 3']);
  expect(out).toContain('warn 1\n');
});

it('defaults to the first container and refuses an unknown one with Kubernetes’ message', () => {
  const r = kubectl(['logs', 'chatty', '-n', ns]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('line 1');
  const bad = kubectl(['logs', 'chatty', '-n', ns, '-c', 'nope']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('container nope is not valid for pod chatty');
});

it('honours --tail, --timestamps and --since', async () => {
  const tail = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app', '--tail', '2']));
  expect(tail.trimEnd().split('\n')).toHaveLength(2);
  const stamped = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app', '--tail', '3', '--timestamps']));
  for (const l of stamped.trimEnd().split('\n')) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (line|warn) \d+$/);
  // Until chatty has logged for longer than the --since window, every line is recent.
  await new Promise((r) => setTimeout(r, 2500));
  const all = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app']))
    .trimEnd()
    .split('\n');
  // The window is measured from when the API served the request; a slow kubectl start must not age the lines.
  const askedAt = Date.now();
  const recent = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app', '--since=1s', '--timestamps']))
    .trimEnd()
    .split('\n');
  expect(recent.length).toBeGreaterThan(0);
  expect(recent.length).toBeLessThan(all.length);
  const cutoff = askedAt - 2000;
  for (const l of recent) expect(Date.parse(l.split(' ')[0])).toBeGreaterThan(cutoff);
  const limited = ok(kubectl(['logs', 'chatty', '-n', ns, '-c', 'app', '--limit-bytes=5']));
  expect(limited).toMatch(/^(line|warn) $/);
});

it('reads the previous instance with --previous after a restart', async () => {
  await waitFor(
    'crash restarted',
    async () => ((await getPod('chatty'))?.status?.containerStatuses?.find((c) => c.name === 'crash')?.restartCount ?? 0) >= 2,
    30_000,
  );
  const prev = await waitFor('previous logs', async () => {
    const r = kubectl(['logs', 'chatty', '-n', ns, '-c', 'crash', '--previous']);
    return r.code === 0 && r.stdout.startsWith('started') ? r.stdout : undefined;
  });
  expect(prev.trimEnd().split('\n')).toHaveLength(1);
  const fresh = await getPod('chatty');
  expect(fresh?.status?.containerStatuses?.find((c) => c.name === 'crash')?.restartCount).toBeGreaterThanOrEqual(2);
  const none = kubectl(['logs', 'chatty', '-n', ns, '-c', 'app', '--previous']);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('previous terminated container "app" in pod "chatty" not found');
});

it('follows with -f until the container exits', async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: { name: counter, namespace: ${ns} }
spec:
  nodeName: ${nodeName}
  restartPolicy: Never
  containers:
    - { name: count, image: busybox, command: [sh, -c, 'sleep 1; for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.4; done'] }
`);
  await waitFor('counter started', async () => (await getPod('counter'))?.status?.containerStatuses?.[0]?.state?.running);
  const started = Date.now();
  const child = spawn('/usr/bin/kubectl', ['--kubeconfig', p.kubeconfig, 'logs', '-f', 'counter', '-n', ns], {
    env: { PATH: process.env.PATH ?? '', HOME: join(p.dataDir, 'home') },
  });
  let out = '';
  const seen: number[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    seen.push(Date.now() - started);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  expect(out).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
  // Lines arrived while the container ran, not all at the end.
  expect(seen.length).toBeGreaterThan(1);
});

it('ends a follow when the pod is deleted', async () => {
  const child = spawn('/usr/bin/kubectl', ['--kubeconfig', p.kubeconfig, 'logs', '-f', 'chatty', '-c', 'app', '-n', ns, '--tail=1'], {
    env: { PATH: process.env.PATH ?? '', HOME: join(p.dataDir, 'home') },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('follow streaming', async () => out.split('\n').length > 3);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  ok(kubectl(['delete', 'pod', 'chatty', '-n', ns, '--wait=false']));
  expect(await exited).toBe(0);
});

it('serves kubectl logs deploy/x (a pod of the Deployment’s selector)', async () => {
  apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: hello, namespace: ${ns} }
spec:
  replicas: 0
  selector: { matchLabels: { app: hello } }
  template:
    metadata: { labels: { app: hello } }
    spec: { containers: [{ name: hello, image: busybox, command: [sh, -c, 'echo hello from the deployment; sleep 3600'] }] }
---
apiVersion: v1
kind: Pod
metadata: { name: hello-1, namespace: ${ns}, labels: { app: hello } }
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 0
  containers: [{ name: hello, image: busybox, command: [sh, -c, 'echo hello from the deployment; sleep 3600'] }]
`);
  const out = await waitFor('deployment logs', async () => {
    const r = kubectl(['logs', 'deploy/hello', '-n', ns]);
    return r.code === 0 && r.stdout.includes('hello from the deployment') ? r.stdout : undefined;
  });
  expect(out).toBe('hello from the deployment\n');
});
