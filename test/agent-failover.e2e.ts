// Losing a node, on the real Docker engine: two agents (two node names on one engine), a Deployment spread
// over both and a Service. One host "goes away" (its agent killed, its containers stopped with it); the node
// lifecycle controller marks it NotReady, its pods are replaced on the other node, and a client there keeps
// getting answers from the Service by name, now only from pods on the surviving node.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@flotilla/resources';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import type { ControllerProcess } from '../apps/controller/src/testing/e2e';
import { startFastFailoverPlane } from './support/control-plane';
import { freePort, httpsRequest, KubectlResult, kubectlFor, Platform, ok } from './support/platform';

jest.setTimeout(180_000);

let p: Platform;
let controller: ControllerProcess;
let kubectl: (args: string[], input?: string) => KubectlResult;
const run = randomBytes(3).toString('hex');
const ns = `fo-${run}`;
const nodes = [`fo-a-${run}`, `fo-b-${run}`];
const agents: AgentProcess[] = [];
const dataDirs: string[] = [];

async function pods(selector: string): Promise<Pod[]> {
  const r = await httpsRequest(p.url, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`, p.caCert, {
    authorization: `Bearer ${p.token}`,
  });
  return (JSON.parse(r.body) as { items: Pod[] }).items;
}

const isReady = (pod: Pod) => !pod.metadata.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The pods each of a loop of requests from the client to http://web/ was answered by (the echo app names its host). */
function askWeb(client: Pod, times: number): string[] {
  const id = (client.status?.containerStatuses?.[0]?.containerID ?? '').replace('docker://', '');
  try {
    const out = execFileSync('docker', ['exec', id, 'sh', '-c', `for i in $(seq ${times}); do timeout 3 wget -qO- http://web/; done`], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [...out.matchAll(/host=(\S+)/g)].map((m) => m[1]);
  } catch {
    return [];
  }
}

async function startNodeAgent(node: string): Promise<AgentProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-failover-'));
  dataDirs.push(dir);
  return startAgent(p, node, {
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${await freePort()}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: `127.0.0.1:${await freePort()}`,
    FLOTILLA_AGENT_DATA_DIR: dir,
    FLOTILLA_RESYNC_SECONDS: '5',
  });
}

beforeAll(async () => {
  ({ p, controller } = await startFastFailoverPlane());
  kubectl = kubectlFor(p);
  for (const node of nodes) agents.push(await startNodeAgent(node));
  ok(kubectl(['create', 'namespace', ns]));
});

afterAll(async () => {
  kubectl?.(['delete', 'namespace', ns, '--wait=false']);
  await Promise.all(agents.map((a) => a.stop()));
  await controller?.stop();
  if (process.env.AGENT_TEST_LOGS) for (const a of agents) process.stderr.write(a.logs());
  // Twice over: the namespace's network carries the label of the agent that made it, and cannot go while the
  // other agent's containers still use it.
  for (const node of [...nodes, ...nodes]) await cleanupNode(node);
  kubectl?.(['delete', 'node', ...nodes, '--ignore-not-found', '--wait=false']);
  kubectl?.(['delete', 'lease', '-n', 'kube-node-lease', ...nodes, '--ignore-not-found', '--wait=false']);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  await p?.stop();
});

it('replaces the pods of a lost node on the other one, and the Service keeps answering', async () => {
  await waitFor('both nodes Ready', async () => nodes.every((n) => new RegExp(`^${n}\\s+Ready\\s`, 'm').test(ok(kubectl(['get', 'nodes'])))));
  ok(kubectl(['create', 'deployment', 'web', '-n', ns, '--image=flotilla/echo:1', '--replicas=4', '--port=8080']));
  ok(kubectl(['expose', 'deployment', 'web', '-n', ns, '--port=80', '--target-port=8080']));
  // The scheduler spreads a controller's pods over the nodes: both nodes run some of them.
  const before = await waitFor('4 web pods Ready', async () => {
    const ready = (await pods('app=web')).filter(isReady);
    return ready.length === 4 ? ready : undefined;
  });
  expect(new Set(before.map((x) => x.spec.nodeName))).toEqual(new Set(nodes));
  const [lost, survivor] = nodes;

  // A client on the surviving node, reaching the Service by name.
  const clientManifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: ns, labels: { app: 'client' } },
    spec: { nodeName: survivor, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
  };
  ok(kubectl(['apply', '-f', '-'], JSON.stringify(clientManifest)));
  const client = await waitFor('client Ready', async () => (await pods('app=client')).find((x) => isReady(x) && x.status?.podIP));
  await waitFor('the Service answers by name', async () => askWeb(client, 1).length === 1);

  // The host goes away: its agent dies and its containers stop with it.
  const lostAt = Date.now();
  await agents[0].kill();
  const onLost = await docker.listContainers({ filters: { label: [`flotilla.node=${lost}`] } });
  await Promise.all(
    onLost.map((c) =>
      docker
        .getContainer(c.Id)
        .kill()
        .catch(() => undefined),
    ),
  );

  await waitFor('the lost node NotReady', async () => new RegExp(`^${lost}\\s+NotReady\\s`, 'm').test(ok(kubectl(['get', 'nodes']))), 30_000);
  const after = await waitFor(
    '4 web pods Ready on the surviving node',
    async () => {
      const all = await pods('app=web');
      const ready = all.filter((x) => isReady(x) && x.spec.nodeName === survivor);
      return ready.length === 4 && all.every((x) => x.spec.nodeName === survivor || x.metadata.deletionTimestamp) ? ready : undefined;
    },
    60_000,
  );
  const recoveredMs = Date.now() - lostAt;
  const names = new Set(after.map((x) => x.metadata.name));
  // Every answer now comes from a pod on the surviving node, and each of the ten requests got one.
  const answers = await waitFor('the Service answers only from the surviving pods', async () => {
    const a = askWeb(client, 10);
    return a.length === 10 && a.every((h) => names.has(h)) ? a : undefined;
  });
  expect(answers.length).toBe(10);
  const taint = ok(kubectl(['get', 'node', lost, '-o', 'jsonpath={.spec.taints[*].key}']));
  expect(taint).toContain('node.kubernetes.io/unreachable');
  console.log(`failover: node lost → 4 pods Ready on the other node in ${recoveredMs} ms (grace 4 s + eviction 3 s)`);
});
