// The control loops through the real API and the real kubectl: Deployments that roll out, roll back and
// scale, the scheduler binding onto hollow (simulated) nodes, Services' endpoints, Jobs, garbage collection,
// cordon, and a deleted namespace that is emptied before it disappears.
import { KubectlResult, kubectlFor, Platform, startPlatform, ok } from './support/platform';
import { uniqueName } from './support/fixtures';
import { testDatabaseUrl, testRedisUrl } from './support/env';
import { ControllerProcess, startControllerProcess } from '../apps/controller/src/testing/e2e';
import { waitFor } from './support/eventually';

jest.setTimeout(120_000);

let p: Platform;
let controller: ControllerProcess;
let kubectl: (args: string[], input?: string) => KubectlResult;
const ns = uniqueName('ctl');

function json<T>(args: string[]): T {
  return JSON.parse(ok(kubectl([...args, '-o', 'json']))) as T;
}

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec: { nodeName?: string; containers: { image: string }[] };
    status?: { phase?: string; podIP?: string };
  }[];
}

/** Waits for `fn` to yield a value; on timeout the error carries the controller's log tail. */
function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return waitFor(what, fn, { timeoutMs, intervalMs: 250, context: () => `--- controller log (tail) ---\n${controller.logs().slice(-4000)}` });
}

function runningPods(selector: string): PodList['items'] {
  return json<PodList>(['get', 'pods', '-n', ns, '-l', selector]).items.filter((x) => x.status?.phase === 'Running' && !x.metadata.deletionTimestamp);
}

beforeAll(async () => {
  p = await startPlatform();
  kubectl = kubectlFor(p);
  controller = await startControllerProcess({ databaseUrl: testDatabaseUrl(), redisUrl: testRedisUrl() });
  ok(kubectl(['create', 'namespace', ns]));
});

afterAll(async () => {
  if (kubectl && controller) {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
    // Leave no simulated nodes behind.
    const nodes = [0, 1, 2].map((i) => `${controller.nodePrefix}-${i}`);
    kubectl(['delete', 'node', ...nodes, '--ignore-not-found', '--wait=false']);
    kubectl(['delete', 'lease', '-n', 'kube-node-lease', ...nodes, '--ignore-not-found', '--wait=false']);
  }
  await controller?.stop();
  await p?.stop();
});

describe('controllers through kubectl', () => {
  it('registers hollow nodes that report Ready', async () => {
    await eventually('3 ready hollow nodes', () => {
      const out = ok(kubectl(['get', 'nodes', '--no-headers']));
      return out.split('\n').filter((l) => l.startsWith(controller.nodePrefix) && /\sReady\s/.test(l)).length === 3;
    });
  });

  it('runs a Deployment created with kubectl: pods bound to nodes and Running; rollout status succeeds', async () => {
    ok(kubectl(['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=3', '--port=80']));
    const r = kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('successfully rolled out');
    const pods = runningPods('app=web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.spec.nodeName?.startsWith(controller.nodePrefix)).toBe(true);
      expect(pod.status?.podIP).toMatch(/^10\./);
    }
    const events = ok(kubectl(['get', 'events', '-n', ns]));
    expect(events).toContain('ScalingReplicaSet');
    expect(events).toContain('SuccessfulCreate');
    expect(events).toContain('Scheduled');
  });

  it('lists the Running pods as the endpoints of a Service', async () => {
    ok(kubectl(['expose', 'deployment', 'web', '-n', ns, '--port=8080', '--target-port=80']));
    const ips = runningPods('app=web')
      .map((x) => x.status?.podIP ?? '')
      .sort();
    await eventually('endpoints for the 3 pods', () => {
      const ep = json<{ subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] }>(['get', 'endpoints', 'web', '-n', ns]);
      const got = (ep.subsets ?? [])
        .flatMap((s) => s.addresses ?? [])
        .map((a) => a.ip)
        .sort();
      return JSON.stringify(got) === JSON.stringify(ips) && ep.subsets?.[0]?.ports?.[0]?.port === 80;
    });
    expect(ok(kubectl(['get', 'endpoints', 'web', '-n', ns]))).toContain(':80');
  });

  it('rolls out a new image, keeps the history with change-causes, and rolls back with undo', async () => {
    ok(kubectl(['annotate', 'deployment/web', '-n', ns, 'kubernetes.io/change-cause=initial nginx 1.27']));
    ok(kubectl(['set', 'image', 'deployment/web', '-n', ns, 'nginx=nginx:1.28']));
    ok(kubectl(['annotate', 'deployment/web', '-n', ns, '--overwrite', 'kubernetes.io/change-cause=upgrade to nginx 1.28']));
    expect(ok(kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']))).toContain('successfully rolled out');
    await eventually('pods on the new image', () => {
      const pods = runningPods('app=web');
      return pods.length === 3 && pods.every((x) => x.spec.containers[0].image === 'nginx:1.28');
    });
    const history = ok(kubectl(['rollout', 'history', 'deployment/web', '-n', ns]));
    expect(history).toMatch(/1\s+initial nginx 1\.27/);
    expect(history).toMatch(/2\s+upgrade to nginx 1\.28/);

    expect(ok(kubectl(['rollout', 'undo', 'deployment/web', '-n', ns]))).toContain('rolled back');
    expect(ok(kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']))).toContain('successfully rolled out');
    await eventually('pods back on nginx:1.27', () => {
      const pods = runningPods('app=web');
      return pods.length === 3 && pods.every((x) => x.spec.containers[0].image === 'nginx:1.27');
    });
    const after = ok(kubectl(['rollout', 'history', 'deployment/web', '-n', ns]));
    expect(after).toMatch(/\n2\s+upgrade to nginx 1\.28/);
    expect(after).toMatch(/\n3\s+initial nginx 1\.27/);
    const rs = json<{ items: unknown[] }>(['get', 'replicasets', '-n', ns, '-l', 'app=web']);
    expect(rs.items).toHaveLength(2);
  });

  it('scales with kubectl scale, up and down', async () => {
    ok(kubectl(['scale', 'deployment/web', '-n', ns, '--replicas=5']));
    expect(ok(kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']))).toContain('successfully rolled out');
    await eventually('5 running pods', () => runningPods('app=web').length === 5);
    ok(kubectl(['scale', 'deployment/web', '-n', ns, '--replicas=2']));
    await eventually('2 pods left', () => json<PodList>(['get', 'pods', '-n', ns, '-l', 'app=web']).items.length === 2);
    const d = json<{ status: { replicas: number; availableReplicas: number } }>(['get', 'deployment', 'web', '-n', ns]);
    await eventually('status of 2 replicas', () => {
      const s = json<{ status: { replicas: number; availableReplicas: number } }>(['get', 'deployment', 'web', '-n', ns]).status;
      return s.replicas === 2 && s.availableReplicas === 2;
    });
    expect(d).toBeTruthy();
  });

  it('replaces a pod that is deleted', async () => {
    const before = runningPods('app=web').map((x) => x.metadata.name);
    ok(kubectl(['delete', 'pod', before[0], '-n', ns, '--wait=false']));
    await eventually('a replacement pod', () => {
      const now = runningPods('app=web').map((x) => x.metadata.name);
      return now.length === 2 && !now.includes(before[0]);
    });
  });

  it('does not schedule onto a cordoned node, and does again once uncordoned', async () => {
    const nodes = [0, 1, 2].map((i) => `${controller.nodePrefix}-${i}`);
    for (const n of nodes.slice(1)) ok(kubectl(['cordon', n]));
    ok(kubectl(['create', 'deployment', 'pinned', '-n', ns, '--image=busybox', '--replicas=3']));
    expect(ok(kubectl(['rollout', 'status', 'deployment/pinned', '-n', ns, '--timeout=60s']))).toContain('successfully rolled out');
    expect(runningPods('app=pinned').every((x) => x.spec.nodeName === nodes[0])).toBe(true);
    for (const n of nodes.slice(1)) ok(kubectl(['uncordon', n]));
    ok(kubectl(['delete', 'deployment', 'pinned', '-n', ns]));
  });

  it('drains a node with kubectl drain (evictions): its pods come back on the other nodes', async () => {
    const nodes = [0, 1, 2].map((i) => `${controller.nodePrefix}-${i}`);
    ok(kubectl(['create', 'deployment', 'drained', '-n', ns, '--image=busybox', '--replicas=4']));
    expect(ok(kubectl(['rollout', 'status', 'deployment/drained', '-n', ns, '--timeout=60s']))).toContain('successfully rolled out');
    const victim = nodes.find((n) => runningPods('app=drained').some((x) => x.spec.nodeName === n)) as string;
    const out = ok(kubectl(['drain', victim, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']));
    expect(out).toMatch(/evicting pod|drained/);
    await eventually('4 running pods off the drained node', () => {
      const pods = runningPods('app=drained');
      return pods.length === 4 && pods.every((x) => x.spec.nodeName !== victim);
    });
    expect(json<{ spec: { unschedulable?: boolean } }>(['get', 'node', victim]).spec.unschedulable).toBe(true);
    ok(kubectl(['uncordon', victim]));
    ok(kubectl(['delete', 'deployment', 'drained', '-n', ns]));
  });

  it('runs a Job to completion (kubectl create job, kubectl wait)', async () => {
    ok(kubectl(['create', 'job', 'once', '-n', ns, '--image=busybox', '--', 'true']));
    const r = kubectl(['wait', '--for=condition=complete', 'job/once', '-n', ns, '--timeout=60s']);
    expect(r.stdout).toContain('condition met');
    const job = json<{ status: { succeeded: number } }>(['get', 'job', 'once', '-n', ns]);
    expect(job.status.succeeded).toBe(1);
  });

  it('runs a CronJob: a missed schedule starts at once, create job --from, history limit, suspend', async () => {
    ok(kubectl(['create', 'cronjob', 'tick', '-n', ns, '--image=busybox', '--schedule=*/1 * * * *', '--', 'true']));
    const spec = { successfulJobsHistoryLimit: 1, concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600 };
    ok(kubectl(['patch', 'cronjob', 'tick', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec })]));
    // A CronJob whose last run was three minutes ago has missed a run: the controller starts the latest one now.
    const backdate = () =>
      ok(
        kubectl([
          'patch',
          'cronjob',
          'tick',
          '-n',
          ns,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status: { lastScheduleTime: new Date(Date.now() - 180_000).toISOString().replace(/\.\d+Z$/, 'Z') } }),
        ]),
      );
    backdate();
    type JobList = {
      items: {
        metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
        status?: { succeeded?: number; conditions?: { type: string; status: string }[] };
      }[];
    };
    const owned = () =>
      json<JobList>(['get', 'jobs', '-n', ns]).items.filter((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick'));
    const complete = (j: JobList['items'][number]) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
    const scheduled = await eventually('a scheduled Job of the CronJob', () =>
      owned().find((j) => j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']),
    );
    expect(scheduled.metadata.name).toMatch(/^tick-\d+$/);
    const minute = Number(scheduled.metadata.name.slice('tick-'.length));
    expect(Math.abs(minute * 60_000 - Date.now())).toBeLessThan(120_000);
    await eventually('the scheduled Job completes', () => owned().some((j) => j.metadata.name === scheduled.metadata.name && complete(j)));
    const cj = json<{ status: { lastScheduleTime?: string; lastSuccessfulTime?: string } }>(['get', 'cronjob', 'tick', '-n', ns]);
    expect(Date.parse(cj.status.lastScheduleTime ?? '')).toBeGreaterThan(Date.now() - 120_000);

    // A manual run (kubectl sets the CronJob as its controller); with successfulJobsHistoryLimit 1, the older run goes.
    // Suspended first: a scheduled run at the next minute would otherwise be newer than tick-manual and push it
    // out (history limits apply while suspended too), and any run started before is let finish so tick-manual
    // is strictly the newest.
    ok(kubectl(['patch', 'cronjob', 'tick', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":true}}']));
    await eventually('no scheduled run still active', () => owned().every(complete));
    ok(kubectl(['create', 'job', 'tick-manual', '-n', ns, '--from=cronjob/tick']));
    await eventually('only the newest finished run is kept', () => {
      const done = owned().filter(complete);
      return done.length === 1 && done[0].metadata.name === 'tick-manual';
    });
    // Events are written after the actions they report.
    await eventually('SuccessfulCreate and SuccessfulDelete events', () => {
      const reasons = ok(kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=tick', '-o', 'jsonpath={.items[*].reason}'])).split(' ');
      return reasons.includes('SuccessfulCreate') && reasons.includes('SuccessfulDelete');
    });

    // Suspended, a missed schedule does not start.
    const before = owned().map((j) => j.metadata.name);
    backdate();
    await new Promise((r) => setTimeout(r, 3000));
    expect(owned().map((j) => j.metadata.name)).toEqual(before);
    ok(kubectl(['delete', 'cronjob', 'tick', '-n', ns]));
    await eventually('the CronJob’s Jobs are garbage-collected', () => owned().length === 0);
  });

  it('garbage-collects the ReplicaSets and pods of a deleted Deployment', async () => {
    ok(kubectl(['delete', 'deployment', 'web', '-n', ns]));
    await eventually('no ReplicaSets or pods of web', () => {
      const rs = json<{ items: unknown[] }>(['get', 'replicasets', '-n', ns, '-l', 'app=web']).items.length;
      const pods = json<PodList>(['get', 'pods', '-n', ns, '-l', 'app=web']).items.length;
      return rs === 0 && pods === 0;
    });
  });

  it('empties a deleted namespace and then removes it', async () => {
    ok(kubectl(['create', 'deployment', 'leftover', '-n', ns, '--image=busybox', '--replicas=2']));
    await eventually('leftover running', () => runningPods('app=leftover').length === 2);
    const r = kubectl(['delete', 'namespace', ns, '--timeout=60s']);
    expect(r.code).toBe(0);
    const get = kubectl(['get', 'namespace', ns]);
    expect(get.stderr).toContain('NotFound');
  });
});
