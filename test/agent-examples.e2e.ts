// examples/*.yaml applied with the real kubectl and run by the agent on the real Docker engine; each test
// checks that the pattern really works. Until the controllers and scheduler run in this suite, the pods a
// workload would get are created from its template with spec.nodeName set to the agent's node.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Pod, PodSpec } from '@flotilla/resources';
import { AgentProcess, startAgent, waitFor } from '../apps/agent/testing/harness';
import { httpsRequest, KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { endAgentSuite } from './support/agent-suite';

jest.setTimeout(120_000);

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
let agent: AgentProcess;
const run = randomBytes(3).toString('hex');
const nodeName = `agent-ex-${run}`;
const ns = `ax-${run}`;
const EXAMPLES = join(__dirname, '..', 'examples');

async function getPod(name: string): Promise<Pod | undefined> {
  const r = await httpsRequest(p.url, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`, p.caCert, { authorization: `Bearer ${p.token}` });
  return r.status === 200 ? (JSON.parse(r.body) as Pod) : undefined;
}

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
interface Doc {
  kind: string;
  metadata: { name: string };
  spec?: { replicas?: number; template?: Template; jobTemplate?: { spec: { template: Template } } };
}

/** Applies the example as a user would, then the pods its workloads would get, bound to our node. Returns pod names. */
function applyExample(file: string): string[] {
  const path = join(EXAMPLES, file);
  ok(kubectl(['apply', '-n', ns, '-f', path]));
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Doc);
  const pods: { name: string; t: Template }[] = [];
  for (const d of docs) {
    if (d.kind === 'Deployment' && d.spec?.template) {
      const n = d.spec.replicas ?? 1;
      for (let i = 0; i < n; i++) pods.push({ name: n === 1 ? d.metadata.name : `${d.metadata.name}-${i}`, t: d.spec.template });
    } else if (d.kind === 'Job' && d.spec?.template) pods.push({ name: `${d.metadata.name}-run`, t: d.spec.template });
    else if (d.kind === 'CronJob' && d.spec?.jobTemplate) pods.push({ name: `${d.metadata.name}-run`, t: d.spec.jobTemplate.spec.template });
  }
  for (const { name, t } of pods) {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, ...t.metadata },
      spec: { ...t.spec, nodeName, terminationGracePeriodSeconds: 0 },
    };
    ok(kubectl(['apply', '-f', '-'], JSON.stringify(pod)));
  }
  return pods.map((x) => x.name);
}

const ready = (name: string): Promise<Pod> =>
  waitFor(`${name} Ready`, async () => {
    const pod = await getPod(name);
    return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pod : undefined;
  });

function containerId(pod: Pod, container: string): string {
  const id = pod.status?.containerStatuses?.find((c) => c.name === container)?.containerID;
  if (!id) throw new Error(`no container ${container} in ${pod.metadata.name}`);
  return id.replace('docker://', '');
}

/** Runs a shell command inside a pod's container (docker exec: the test stands in for the app). */
function inContainer(pod: Pod, container: string, script: string): string {
  return execFileSync('docker', ['exec', containerId(pod, container), 'sh', '-c', script], { encoding: 'utf8', timeout: 10_000 });
}

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startPlatform();
  kubectl = kubectlFor(p);
  ok(kubectl(['create', 'namespace', ns]));
  // No controller runs here, so Services get no Endpoints: keep this agent from running Service proxies,
  // whose alias would shadow the backend pod's own name (Services by name: services-networking.e2e.ts).
  agent = startAgent(p, nodeName, { FLOTILLA_SERVICE_PROXY_IMAGE: 'off' });
});

afterAll(() => endAgentSuite(p, agent, nodeName, [ns]));

it('web.yaml: two ready web servers that answer on their pod IPs', async () => {
  const names = applyExample('web.yaml');
  expect(names).toEqual(['web-0', 'web-1']);
  const [a, b] = await Promise.all(names.map(ready));
  // Ready without a readiness probe means started, not yet listening: nginx binds a moment later.
  const page = await waitFor('web-1 answers', async () => {
    try {
      return inContainer(a, 'web', `timeout 3 wget -qO- http://${b.status!.podIP}:80/`);
    } catch {
      return undefined;
    }
  });
  expect(page).toMatch(/1\.27/);
  expect(ok(kubectl(['get', 'pods', '-n', ns, '-l', 'app=web']))).toMatch(/web-0\s+1\/1\s+Running[\s\S]*web-1\s+1\/1\s+Running/);
});

it('sidecar.yaml: the sidecar ships the app’s log file to kubectl logs', async () => {
  const [name] = applyExample('sidecar.yaml');
  await ready(name);
  const out = await waitFor('sidecar shows the app’s lines', async () => {
    const o = ok(kubectl(['logs', name, '-n', ns, '-c', 'log-tailer']));
    return /order 2 processed/.test(o) ? o : undefined;
  });
  expect(out).toMatch(/order 1 processed/);
  // The app itself writes nothing to stdout: the lines really came through the shared volume.
  expect(ok(kubectl(['logs', name, '-n', ns]))).toBe('');
});

it('ambassador.yaml: the app reaches the backend on localhost through the ambassador', async () => {
  const names = applyExample('ambassador.yaml');
  expect(names).toEqual(['echo', 'ambassador-demo']);
  await ready('echo');
  const pod = await ready('ambassador-demo');
  // TARGET is echo:8080; the backend pod is named echo, which the namespace network resolves.
  const answer = await waitFor('answer through localhost', async () => {
    try {
      const o = inContainer(pod, 'app', 'timeout 3 wget -qO- http://localhost:6379/ping');
      return o.includes('message=hello-through-the-ambassador') ? o : undefined;
    } catch {
      return undefined;
    }
  });
  expect(answer).toContain('path=/ping');
  const logs = await waitFor('app logs show the answers', async () => {
    const o = ok(kubectl(['logs', 'ambassador-demo', '-n', ns]));
    return o.includes('hello-through-the-ambassador') ? o : undefined;
  });
  expect(logs).toContain('host=echo');
});

it('adapter.yaml: the adapter serves the app’s counters as Prometheus metrics', async () => {
  const [name] = applyExample('adapter.yaml');
  const pod = await ready(name);
  const metrics = await waitFor('metrics', async () => {
    try {
      const o = inContainer(pod, 'app', 'timeout 3 wget -qO- http://localhost:9100/metrics');
      return /app_requests_total \d+/.test(o) ? o : undefined;
    } catch {
      return undefined;
    }
  });
  expect(metrics).toMatch(/app_queue_depth \d+/);
  expect(metrics).toMatch(/app_up 1/);
});

it('job.yaml: the job’s pod runs to completion', async () => {
  const [name] = applyExample('job.yaml');
  const pod = await waitFor('job pod Succeeded', async () => {
    const x = await getPod(name);
    return x?.status?.phase === 'Succeeded' ? x : undefined;
  });
  expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  const logs = await waitFor('job logs', async () => {
    const o = ok(kubectl(['logs', name, '-n', ns]));
    return o.includes('done') ? o : undefined;
  });
  expect(logs).toMatch(/^sum: [0-9a-f]{32}\ndone\n$/);
});

it('cronjob.yaml: a run of the cron job completes and logs its heartbeat', async () => {
  const [name] = applyExample('cronjob.yaml');
  await waitFor('cron pod Succeeded', async () => (await getPod(name))?.status?.phase === 'Succeeded');
  const logs = await waitFor('heartbeat', async () => {
    const o = ok(kubectl(['logs', name, '-n', ns]));
    return o.includes('heartbeat at') ? o : undefined;
  });
  expect(logs).toMatch(new RegExp(`heartbeat at \\S+ from ${name}`));
});
