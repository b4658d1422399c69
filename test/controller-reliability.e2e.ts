// Reliability of the control loops (issue 4), on real Postgres and Redis with hollow (simulated) nodes in
// their own process, so killing the controller leaves the nodes running:
// - a controller killed (SIGKILL) in the middle of a rolling update of 50 replicas finishes it after a restart,
//   and at no observed moment are there more than replicas+maxSurge active pods or fewer than
//   replicas-maxUnavailable available ones (every pod change is observed, in order, through the change log);
// - Redis flushed in the middle of a rollout: it completes through resync;
// - a node that stops heartbeating: its pods are replaced elsewhere within the configured time and the
//   Service's endpoints drop them; the node is readmitted when it comes back;
// - a Deployment deleted with foreground propagation leaves nothing behind.
import IORedis from 'ioredis';
import { Store } from '@flotilla/store';
import type { Pod } from '@flotilla/resources';
import { KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { uniqueName } from './support/fixtures';
import { dropNodes, testDatabaseUrl, testRedisUrl } from './support/env';
import { ControllerProcess, startControllerProcess } from '../apps/controller/src/testing/e2e';
import { waitFor } from './support/eventually';

jest.setTimeout(180_000);

// The controller runs on its own Redis database: the flush test empties that database (FLUSHDB), which is
// what FLUSHALL does to the controller without wiping other services that share the test Redis.
const REDIS_DB = 14;
const redisUrl = (() => {
  const u = new URL(testRedisUrl());
  u.pathname = `/${REDIS_DB}`;
  return u.toString();
})();

let p: Platform;
let controller: ControllerProcess;
let hollow: ControllerProcess;
let observer: Store;
let kubectl: (args: string[], input?: string) => KubectlResult;
const ns = uniqueName('rel');
const id = uniqueName('r').slice(2);

/** Waits for `fn` to yield a value; on timeout the error carries the controller's log tail. */
function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, fn, { timeoutMs, intervalMs: 250, context: () => `--- controller log (tail) ---\n${controller.logs().slice(-3000)}` });
}

function podsOf(app: string): Pod[] {
  return observer.cache
    .list('core/pods', ns)
    .map((e) => e.obj as Pod)
    .filter((x) => x.metadata.labels?.app === app);
}

const active = (x: Pod) => !x.metadata.deletionTimestamp && x.status?.phase !== 'Succeeded' && x.status?.phase !== 'Failed';
const available = (x: Pod) => active(x) && (x.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Follows every pod change of one app, in version order, and records the extremes. */
function sample(app: string): { stop: () => void; maxActive: () => number; minAvailable: () => number; observed: () => number } {
  let maxActive = 0;
  let minAvailable = Infinity;
  let observed = 0;
  const counts = () => {
    const pods = podsOf(app);
    const a = pods.filter(available).length;
    maxActive = Math.max(maxActive, pods.filter(active).length);
    if (a < minAvailable) minAvailable = a;
    observed++;
  };
  counts();
  const unsubscribe = observer.cache.onChange((c) => {
    if (c.resource === 'core/pods' && c.namespace === ns && (c.obj as Pod).metadata.labels?.app === app) counts();
  });
  return { stop: () => unsubscribe(), maxActive: () => maxActive, minAvailable: () => minAvailable, observed: () => observed };
}

function deploymentYaml(name: string, replicas: number, image: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: ${replicas}
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 5, maxUnavailable: 3 } }
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: app, image: ${image}, ports: [{ containerPort: 80, name: http }] }]
`;
}

function rolloutStatus(name: string): string {
  return ok(kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=120s']));
}

beforeAll(async () => {
  await dropNodes();
  p = await startPlatform();
  kubectl = kubectlFor(p);
  const base = { databaseUrl: testDatabaseUrl(), redisUrl };
  hollow = await startControllerProcess(base, { FLOTILLA_TEST_ID: id, FLOTILLA_HOLLOW_NODES: '3', FLOTILLA_HOLLOW_START_MS: '300' }, 'hollow-main');
  controller = await startControllerProcess(base, { FLOTILLA_TEST_ID: id, FLOTILLA_HOLLOW_NODES: '0', FLOTILLA_RESYNC_SECONDS: '5' });
  observer = await Store.open({ databaseUrl: testDatabaseUrl() });
  ok(kubectl(['create', 'namespace', ns]));
});

afterAll(async () => {
  if (kubectl) {
    kubectl(['delete', 'namespace', ns, '--timeout=60s']);
    const nodes = [0, 1, 2].map((i) => `${hollow?.nodePrefix}-${i}`);
    kubectl(['delete', 'node', ...nodes, '--ignore-not-found', '--wait=false']);
    kubectl(['delete', 'lease', '-n', 'kube-node-lease', ...nodes, '--ignore-not-found', '--wait=false']);
  }
  await controller?.stop();
  await hollow?.stop();
  await observer?.close();
  await p?.stop();
});

describe('controller reliability', () => {
  it('finishes a rolling update of 50 replicas after a SIGKILL mid-way, within maxSurge and maxUnavailable throughout', async () => {
    ok(kubectl(['apply', '-f', '-'], deploymentYaml('big', 50, 'nginx:1.27')));
    expect(rolloutStatus('big')).toContain('successfully rolled out');

    await observer.sync();
    const s = sample('big');
    ok(kubectl(['set', 'image', 'deployment/big', '-n', ns, 'app=nginx:1.28']));
    await eventually(
      'a third of the pods updated',
      () => podsOf('big').filter((x) => available(x) && x.spec.containers[0].image === 'nginx:1.28').length >= 15,
    );
    await controller.kill();
    const killedAt = podsOf('big').filter((x) => x.spec.containers[0].image === 'nginx:1.28').length;
    await new Promise((r) => setTimeout(r, 1500));
    await controller.restart();
    expect(rolloutStatus('big')).toContain('successfully rolled out');
    await eventually('50 available pods on the new image', () => {
      const pods = podsOf('big').filter(active);
      return pods.length === 50 && pods.every((x) => available(x) && x.spec.containers[0].image === 'nginx:1.28');
    });
    s.stop();
    expect(killedAt).toBeLessThan(50);
    expect(s.observed()).toBeGreaterThan(100);
    expect(s.maxActive()).toBeLessThanOrEqual(50 + 5);
    expect(s.minAvailable()).toBeGreaterThanOrEqual(50 - 3);
  });

  it('completes a rollout after Redis loses every queue mid-way (resync)', async () => {
    await observer.sync();
    const s = sample('big');
    ok(kubectl(['set', 'image', 'deployment/big', '-n', ns, 'app=nginx:1.29']));
    await eventually('some pods updated', () => podsOf('big').filter((x) => available(x) && x.spec.containers[0].image === 'nginx:1.29').length >= 5);
    const redis = new IORedis(redisUrl);
    const flushedAt = podsOf('big').filter((x) => x.spec.containers[0].image === 'nginx:1.29').length;
    await redis.flushdb();
    redis.disconnect();
    await eventually('the controller to notice', () => controller.logs().includes('Redis lost the queues'), 10_000);
    expect(rolloutStatus('big')).toContain('successfully rolled out');
    expect(flushedAt).toBeLessThan(50);
    s.stop();
    expect(s.maxActive()).toBeLessThanOrEqual(55);
    expect(s.minAvailable()).toBeGreaterThanOrEqual(47);
  });

  it('replaces the pods of a node that stops heartbeating, drops them from endpoints, and readmits the node', async () => {
    ok(kubectl(['scale', 'deployment/big', '-n', ns, '--replicas=9']));
    ok(kubectl(['expose', 'deployment', 'big', '-n', ns, '--port=80', '--target-port=http']));
    await eventually('9 pods', () => podsOf('big').filter(active).length === 9);
    const victim = `${hollow.nodePrefix}-1`;
    const onVictim = podsOf('big').filter((x) => active(x) && x.spec.nodeName === victim);
    expect(onVictim.length).toBeGreaterThan(0);
    const victimIps = new Set(onVictim.map((x) => x.status?.podIP));

    const started = Date.now();
    ok(kubectl(['annotate', 'node', victim, 'hollow.flotilla.dev/heartbeats=off']));
    await eventually(
      'pods replaced on the other nodes',
      () => {
        const live = podsOf('big').filter(available);
        return live.length === 9 && live.every((x) => x.spec.nodeName !== victim);
      },
      30_000,
    );
    const replacedMs = Date.now() - started;
    // Grace 4 s + eviction 2 s (see the test's controller settings), plus scheduling and start-up.
    expect(replacedMs).toBeLessThan(15_000);
    const ep = observer.cache.get('core/endpoints', ns, 'big')?.obj as { subsets?: { addresses?: { ip: string }[] }[] } | undefined;
    await eventually('endpoints without the lost node', () => {
      const e = observer.cache.get('core/endpoints', ns, 'big')?.obj as { subsets?: { addresses?: { ip: string }[] }[] } | undefined;
      const ips = (e?.subsets ?? []).flatMap((x) => x.addresses ?? []).map((a) => a.ip);
      return ips.length === 9 && ips.every((ip) => !victimIps.has(ip));
    });
    expect(ep).toBeTruthy();
    const node = JSON.parse(ok(kubectl(['get', 'node', victim, '-o', 'json']))) as { spec: { taints?: { key: string; effect: string }[] } };
    expect(node.spec.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(expect.arrayContaining(['node.kubernetes.io/unreachable:NoExecute']));
    expect(ok(kubectl(['get', 'node', victim]))).toMatch(/NotReady/);

    ok(kubectl(['annotate', 'node', victim, 'hollow.flotilla.dev/heartbeats-']));
    await eventually('node readmitted', () => {
      const n = observer.cache.get('core/nodes', '', victim)?.obj as
        { spec: { taints?: unknown[] }; status?: { conditions?: { type: string; status: string }[] } } | undefined;
      return !n?.spec.taints?.length && n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
  });

  it('leaves nothing behind after a foreground delete', async () => {
    const r = kubectl(['delete', 'deployment', 'big', '-n', ns, '--cascade=foreground', '--timeout=60s']);
    expect(r.code).toBe(0);
    await observer.sync();
    expect(observer.cache.list('apps/replicasets', ns)).toHaveLength(0);
    expect(podsOf('big')).toHaveLength(0);
    expect(observer.cache.get('apps/deployments', ns, 'big')).toBeUndefined();
  });
});
