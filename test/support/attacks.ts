// The tenant-attack suites' cluster: the real API, controller and agent on the real Docker engine, one
// namespace whose editor is the attacker (a personal token, a kubeconfig for the real kubectl), a victim
// namespace beside it, and a bait directory on the host that stands for what a tenant must never reach (the
// CA key, the admin token). After every attack, `assertIntact()` checks the node is still Ready, the agent
// is the same process, and the bait and the engine's objects outside this node are unchanged.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject, Pod } from '@flotilla/resources';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../../apps/agent/testing/harness';
import { ControllerProcess, startControllerProcess } from '../../apps/controller/src/testing/e2e';
import { testDatabaseUrl, testRedisUrl } from './env';
import { freePort, KubectlResult, kubectlFor, Platform, writeManifest } from './platform';
import { Answer, call, cleanUp, kubeconfigFor, startTenancyPlatform, userWithToken } from './tenancy';
import { spawnSync } from 'node:child_process';

export interface AttackCluster {
  p: Platform;
  agent: AgentProcess;
  controller: ControllerProcess;
  nodeName: string;
  /** The attacker's namespace (they hold `edit` in it). */
  ns: string;
  /** Another tenant's namespace, with nothing granted to the attacker. */
  victimNs: string;
  /** The attacker's personal API token. */
  token: string;
  /** The real kubectl as the attacker. */
  kubectl: (args: string[], input?: string) => KubectlResult;
  /** An HTTPS call as the attacker (or as `auth`, e.g. `cluster.p.token` for the admin). */
  api: (method: string, path: string, body?: unknown, auth?: string) => Promise<Answer>;
  /** A host directory outside every directory of the platform: a file in it stands for the CA key. */
  bait: string;
  /** The ingress ports of this node's agent on 127.0.0.1. */
  ingressHttpPort: number;
  /** Fails unless the node is Ready, the agent is the process it was, and the bait and foreign engine objects are untouched. */
  assertIntact: () => Promise<void>;
  /** Creates a pod as the attacker (kubectl apply), returns its name. */
  applyAsTenant: (obj: KubeObject) => KubectlResult;
  /** The pod as the admin sees it. */
  pod: (name: string, namespace?: string) => Promise<Pod | undefined>;
  stop: () => Promise<void>;
}

export interface AttackClusterOptions {
  /** Extra environment of the agent process. */
  agentEnv?: Record<string, string>;
  /** Extra environment of the API process. */
  apiEnv?: Record<string, string>;
  /** Extra environment of the controller process. */
  controllerEnv?: Record<string, string>;
  /** Quota of the attacker's namespace (`hard`), if any. */
  quota?: Record<string, string>;
}

const DOCKER_NETWORKS = new Set(['bridge', 'host', 'none']);

/** The engine's networks and volumes that belong to no agent of the suite: an attack must leave them as they were. */
async function foreignEngineState(nodeName: string): Promise<string> {
  // Docker's own networks (bridge, host, none) are re-created with new ids when the engine restarts.
  const nets = (await docker.listNetworks()).filter(
    (n) => n.Labels?.['flotilla.node'] !== nodeName && !n.Labels?.['flotilla.test'] && !DOCKER_NETWORKS.has(n.Name),
  );
  const vols = ((await docker.listVolumes()).Volumes ?? []).filter((v) => v.Labels?.['flotilla.node'] !== nodeName && !v.Labels?.['flotilla.test']);
  return JSON.stringify({ nets: nets.map((n) => n.Id).sort(), vols: vols.map((v) => v.Name).sort() });
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  // Group and mode count too (an fsGroup walk that followed a link would chgrp, not rewrite), the root's included.
  const top = statSync(dir);
  h.update(`${dir}\0${top.mode}\0${top.uid}\0${top.gid}\0`);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(d, e.name);
      const st = statSync(full, { throwIfNoEntry: false });
      h.update(`${full}\0${st?.mode}\0${st?.uid}\0${st?.gid}\0`);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) h.update(readFileSync(full));
    }
  };
  walk(dir);
  return h.digest('hex');
}

function nodeReady(node: Record<string, unknown>): boolean {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function startAttackCluster(prefix: string, o: AttackClusterOptions = {}): Promise<AttackCluster> {
  const run = randomBytes(3).toString('hex');
  const nodeName = `${prefix}-${run}`;
  const ns = `${prefix}-${run}`;
  const victimNs = `${prefix}-victim-${run}`;
  const attacker = `${prefix}-attacker-${run}`;
  const bait = join('/tmp', `flotilla-bait-${run}`);
  mkdirSync(join(bait, 'pki'), { recursive: true, mode: 0o700 });
  writeFileSync(join(bait, 'pki', 'ca.key'), `not-a-key-${run}\n`, { mode: 0o600 });
  writeFileSync(join(bait, 'admin-token'), `bait-token-${run}\n`, { mode: 0o600 });
  const baitHash = treeHash(bait);

  const p = await startTenancyPlatform(`${prefix}-admin-${run}`, o.apiEnv);
  const admin = (method: string, path: string, body?: unknown) => call(p, method, path, p.token, body);
  // The user first: the API refuses a binding to a user that does not exist.
  const token = await userWithToken(p, attacker);
  const made = await admin('POST', '/flotilla/v1/admin/namespaces', {
    name: ns,
    ...(o.quota ? { quota: o.quota } : {}),
    bindings: [{ role: 'edit', users: [attacker] }],
  });
  if (made.status !== 201) throw new Error(`namespace ${ns}: ${made.status} ${made.body}`);
  const victim = await admin('POST', '/api/v1/namespaces', { metadata: { name: victimNs } });
  if (victim.status !== 201) throw new Error(`namespace ${victimNs}: ${victim.status} ${victim.body}`);
  const kubeconfig = kubeconfigFor(p, attacker, token);
  const kubectl = kubectlFor({ ...p, kubeconfig });

  // Nodes that earlier suites left in the test database look Ready until the controller has judged them, and
  // pods bound to them would never run: this cluster's pods go to its own agent only (suites run one at a time).
  const nodes = (await admin('GET', '/api/v1/nodes')).json() as { items?: { metadata: { name: string } }[] };
  for (const n of nodes.items ?? []) await admin('DELETE', `/api/v1/nodes/${n.metadata.name}`);
  const controller = await startControllerProcess(
    { databaseUrl: testDatabaseUrl(), redisUrl: testRedisUrl() },
    { FLOTILLA_HOLLOW_NODES: '0', ...o.controllerEnv },
  );
  const ingressHttpPort = await freePort();
  const agent = startAgent(p, nodeName, {
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${ingressHttpPort}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
    FLOTILLA_NODEPORT_ADDRESS: '127.0.0.1',
    ...o.agentEnv,
  });
  const agentPid = agent.pid();
  await waitFor(
    `node ${nodeName} Ready`,
    async () => {
      if (agent.pid() === undefined) throw new Error(`agent exited:\n${agent.logs()}`);
      const r = await admin('GET', `/api/v1/nodes/${nodeName}`);
      return r.status === 200 && nodeReady(r.json());
    },
    60_000,
  ).catch(async (err: Error) => {
    // Say why (the agent's last lines), and leave no process behind for a suite whose beforeAll failed.
    const why = `${err.message}\nagent log (end):\n${agent.logs().slice(-4000)}`;
    await agent.stop();
    await controller.stop();
    await cleanupNode(nodeName);
    await p.stop();
    throw new Error(why);
  });
  const engineBefore = await foreignEngineState(nodeName);

  const cluster: AttackCluster = {
    p,
    agent,
    controller,
    nodeName,
    ns,
    victimNs,
    token,
    kubectl,
    api: (method, path, body, auth) => call(p, method, path, auth ?? token, body),
    bait,
    ingressHttpPort,
    assertIntact: async () => {
      if (agent.pid() !== agentPid || (await Promise.race([agent.exited().then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]))) {
        throw new Error(`the agent process is not the one that started (it exited):\n${agent.logs().slice(-4000)}`);
      }
      const node = await admin('GET', `/api/v1/nodes/${nodeName}`);
      if (!nodeReady(node.json())) throw new Error(`node ${nodeName} is not Ready: ${node.body.slice(0, 2000)}`);
      if (treeHash(bait) !== baitHash) throw new Error(`the host bait directory ${bait} changed`);
      const engineNow = await foreignEngineState(nodeName);
      if (engineNow !== engineBefore) {
        const a = JSON.parse(engineBefore) as { nets: string[]; vols: string[] };
        const b = JSON.parse(engineNow) as { nets: string[]; vols: string[] };
        const diff = (x: string[], y: string[]) => x.filter((v) => !y.includes(v));
        // Only what appeared matters (other suites may remove their own objects meanwhile).
        const added = { nets: diff(b.nets, a.nets), vols: diff(b.vols, a.vols) };
        if (added.nets.length || added.vols.length) throw new Error(`Docker objects outside this node appeared: ${JSON.stringify(added)}`);
      }
    },
    applyAsTenant: (obj) =>
      kubectl(['apply', '-n', ns, '-f', writeManifest(p, `${obj.kind}-${obj.metadata.name}-${randomBytes(2).toString('hex')}.json`, JSON.stringify(obj))]),
    pod: async (name, namespace = ns) => {
      const r = await admin('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
      return r.status === 200 ? (r.json() as unknown as Pod) : undefined;
    },
    stop: async () => {
      await agent.stop();
      await controller.stop();
      await cleanupNode(nodeName);
      await p.stop();
      await cleanUp([ns, victimNs], `${prefix}-`);
      rmSync(bait, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** kubectl's stdout, or a throw with its output (the attack suites' name for platform's ok). */
export { ok as kubectlOk } from './platform';

/** The first waiting or terminated reason of a pod's containers (e.g. CreateContainerConfigError). */
export function containerReason(pod: Pod | undefined, container?: string): string | undefined {
  const all = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  const s = container ? all.find((c) => c.name === container) : all.find((c) => c.state?.waiting || c.state?.terminated);
  return s?.state?.waiting?.reason ?? s?.state?.terminated?.reason;
}

/** Runs a command on the host (for checks like "the file is unchanged"). */
export function sh(cmd: string): string {
  return spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout ?? '';
}
