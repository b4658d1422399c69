// A 20 s control-plane outage evicts nothing (issue 15): the API is killed and kept down for 20 s while a real
// agent runs pods on the real Docker engine and the controller keeps running against Postgres with short
// grace and eviction times (4 s and 3 s, so an eviction would happen well inside the outage). The node's Lease
// goes stale, as every node's does when the API is away; the controller must take it as a disruption, not a
// lost node. Afterwards: the same pods (uids), the same containers never restarted (Docker's StartedAt), the
// node Ready again within a bound.
//
// Hollow nodes are left out on purpose: they renew their Leases straight in the store, not through the API, so
// an API outage would leave them fresh, which is not what any real node sees.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from '@flotilla/resources';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import type { ControllerProcess } from '../apps/controller/src/testing/e2e';
import { startFastFailoverPlane } from './support/control-plane';
import { dropComponentRecords, dropNamespaces, dropNodes } from './support/env';
import { freePort, httpsRequest, KubectlResult, kubectlFor, Platform, ok } from './support/platform';

jest.setTimeout(180_000);

const OUTAGE_MS = 20_000;
/** Past the outage, how long the pods are watched for a late eviction: more than grace + eviction time. */
const WATCH_AFTER_MS = 12_000;

let p: Platform;
let controller: ControllerProcess;
let agent: AgentProcess;
let kubectl: (args: string[], input?: string) => KubectlResult;
const run = randomBytes(3).toString('hex');
const ns = `out-${run}`;
const node = `out-${run}`;
let agentDir: string;

async function get<T>(path: string): Promise<T> {
  const r = await httpsRequest(p.url, 'GET', path, p.caCert, { authorization: `Bearer ${p.token}` });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

const pods = async () => (await get<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods`)).items;
const isReady = (pod: Pod) => !pod.metadata.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
/** The node as last read, for a failure message that says what it was waiting on. */
let lastNode: Node | undefined;
const LIFECYCLE_TAINTS = new Set(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);
const nodeReady = async () => {
  const n = await get<Node>(`/api/v1/nodes/${node}`);
  lastNode = n;
  const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  return ready && !n.spec?.taints?.some((t) => LIFECYCLE_TAINTS.has(t.key));
};
/** waitFor, failing with the node's conditions and taints and the pods' phases as last seen. */
async function waitWithState<T>(what: string, fn: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  try {
    return await waitFor(what, fn, ms, 250);
  } catch (err) {
    const podsNow = await pods().catch(() => []);
    const state = {
      conditions: lastNode?.status?.conditions?.map((c) => `${c.type}=${c.status}`),
      taints: lastNode?.spec?.taints?.map((t) => t.key),
      pods: podsNow.map((x) => `${x.metadata.name} ${x.status?.phase} deleting=${Boolean(x.metadata.deletionTimestamp)}`),
    };
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(state)}`);
  }
}

/** Every container the agent runs for this node, by id, with when Docker last started it. */
async function containerStarts(): Promise<Record<string, string>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`flotilla.node=${node}`] } });
  const out: Record<string, string> = {};
  for (const c of list) {
    if (!c.Labels['flotilla.pod.uid']) continue;
    out[c.Id] = (await docker.getContainer(c.Id).inspect()).State.StartedAt;
  }
  return out;
}

beforeAll(async () => {
  ({ p, controller } = await startFastFailoverPlane());
  kubectl = kubectlFor(p);
  agentDir = mkdtempSync(join(tmpdir(), 'flotilla-outage-'));
  agent = startAgent(p, node, {
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${await freePort()}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: `127.0.0.1:${await freePort()}`,
    FLOTILLA_AGENT_DATA_DIR: agentDir,
    FLOTILLA_RESYNC_SECONDS: '5',
  });
  ok(kubectl(['create', 'namespace', ns]));
});

afterAll(async () => {
  // A failed run may have left the API down: the clean-up below goes through it.
  if (p?.restart && !(await isUp())) await p.restart().catch(() => undefined);
  kubectl?.(['delete', 'namespace', ns, '--wait=false']);
  await agent?.stop();
  await controller?.stop();
  if (process.env.AGENT_TEST_LOGS) process.stderr.write(agent.logs());
  await cleanupNode(node);
  kubectl?.(['delete', 'node', node, '--ignore-not-found', '--wait=false']);
  kubectl?.(['delete', 'lease', '-n', 'kube-node-lease', node, '--ignore-not-found', '--wait=false']);
  if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  await p?.stop();
  await dropNamespaces([ns]);
  await dropNodes();
  await dropComponentRecords();
});

async function isUp(): Promise<boolean> {
  try {
    return (await httpsRequest(p.url, 'GET', '/readyz', p.caCert)).status === 200;
  } catch {
    return false;
  }
}

it('keeps every pod and container through 20 s without the API, and the node is Ready again soon after', async () => {
  await waitWithState('the node Ready', nodeReady, 60_000);
  ok(kubectl(['create', 'deployment', 'sleepers', '-n', ns, '--image=flotilla/busybox:1', '--replicas=3', '--', 'sleep', '3600']));
  const before = await waitWithState(
    '3 pods Ready',
    async () => {
      const ready = (await pods()).filter(isReady);
      return ready.length === 3 ? ready : undefined;
    },
    90_000,
  );
  const uids = before.map((x) => x.metadata.uid).sort();
  const startsBefore = await containerStarts();
  expect(Object.keys(startsBefore).length).toBeGreaterThanOrEqual(3);

  await p.kill!();
  const downAt = Date.now();
  // The outage: the controller keeps running and sees the node's Lease expire (grace 4 s, eviction 3 s).
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  await p.restart!();
  const apiBackMs = Date.now() - downAt - OUTAGE_MS;
  await waitWithState('the node Ready again', nodeReady, 60_000);
  const readyAfterMs = Date.now() - downAt - OUTAGE_MS;
  console.log(
    `outage: API down ${OUTAGE_MS} ms; API serving again ${apiBackMs} ms after its restart began; node Ready (no taint) ${readyAfterMs} ms after the restart began`,
  );

  // The controller did judge the node unreachable (so the test can fail): it said it took it as a disruption.
  const events = await get<{ items: Array<{ reason?: string; involvedObject?: { kind?: string; name?: string } }> }>('/api/v1/events');
  expect(events.items).toContainEqual(expect.objectContaining({ reason: 'NodeDisruption', involvedObject: expect.objectContaining({ name: node }) }));

  // Watched for a while after, with a bound: an eviction decided late would show here.
  const watchUntil = Date.now() + WATCH_AFTER_MS;
  while (Date.now() < watchUntil) {
    const now = await pods();
    expect(now.map((x) => x.metadata.uid).sort()).toEqual(uids);
    expect(now.filter((x) => x.metadata.deletionTimestamp)).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
  }
  expect((await pods()).filter(isReady).length).toBe(3);
  // No container was stopped, replaced or restarted: the same ids, started at the same instants.
  expect(await containerStarts()).toEqual(startsBefore);
  expect(readyAfterMs).toBeLessThan(30_000);

  // The agent recorded its start on its Node, the controller in Redis, and the components view shows both.
  const components = await get<{ items: Array<{ component: string; host: string }> }>('/flotilla/v1/admin/components');
  expect(components.items).toContainEqual(expect.objectContaining({ component: 'agent', host: node }));
  expect(components.items).toContainEqual(expect.objectContaining({ component: 'controller' }));
});
