// Quota, LimitRange and Pod Security hold for pods a controller creates, not only for a user's own
// (issue 14, item 5): a namespace editor cannot escape `pods: 5` or the CPU quota through a Deployment or
// a Job, or a CronJob's Job, and a refused create shows up as a FailedCreate warning on the owner and a
// ReplicaFailure condition on the ReplicaSet and its Deployment (kubectl describe, the portal).
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, kubectlOk, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;

interface PodList {
  items: {
    metadata: { name: string; ownerReferences?: { kind: string }[] };
    spec: { containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
  }[];
}

async function pods(): Promise<PodList['items']> {
  const r = await c.api('GET', `/api/v1/namespaces/${c.ns}/pods`, undefined, c.p.token);
  return (r.json() as unknown as PodList).items;
}

async function quotaUsed(): Promise<Record<string, string>> {
  const r = await c.api('GET', `/api/v1/namespaces/${c.ns}/resourcequotas`, undefined, c.p.token);
  const q = (r.json() as unknown as { items: { status?: { used?: Record<string, string> } }[] }).items[0];
  return q?.status?.used ?? {};
}

async function events(reason: string): Promise<{ involvedObject: { kind: string; name: string }; message: string }[]> {
  const r = await c.api('GET', `/api/v1/namespaces/${c.ns}/events`, undefined, c.p.token);
  return (r.json() as unknown as { items: { reason: string; involvedObject: { kind: string; name: string }; message: string }[] }).items.filter(
    (e) => e.reason === reason,
  );
}

/** While the controllers keep retrying, the pods (and the quota's count of them) never pass `max`. */
async function staysAtMost(max: number, samples: number): Promise<void> {
  for (let i = 0; i < samples; i++) {
    expect((await pods()).length).toBeLessThanOrEqual(max);
    expect(Number((await quotaUsed()).pods)).toBeLessThanOrEqual(max);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  c = await startAttackCluster('atq', { quota: { pods: '5', 'requests.cpu': '1', 'limits.memory': '1Gi' } });
  const lr = await c.api(
    'POST',
    `/api/v1/namespaces/${c.ns}/limitranges`,
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '100m', memory: '64Mi' }, defaultRequest: { cpu: '100m', memory: '32Mi' } }] },
    },
    c.p.token,
  );
  expect(lr.status).toBe(201);
});

afterAll(async () => {
  await c?.stop();
});

describe('pods a controller creates pass quota and LimitRange', () => {
  it('a Deployment of 20 replicas gets exactly 5 pods, never more, and a FailedCreate warning', async () => {
    kubectlOk(c.kubectl(['create', 'deployment', 'd', '--image=flotilla/busybox:1', '--replicas=20', '-n', c.ns, '--', 'sleep', '3600']));
    await waitFor('5 pods', async () => (await pods()).length === 5, 60_000).catch(async (e: Error) => {
      const evs = await c.api('GET', `/api/v1/namespaces/${c.ns}/events`, undefined, c.p.token);
      throw new Error(`${e.message}: ${(await pods()).length} pods; events: ${evs.body.slice(0, 3000)}\n${c.controller.logs().slice(-3000)}`);
    });
    // While the ReplicaSet keeps trying, the count stays at the quota.
    await staysAtMost(5, 10);
    await waitFor('FailedCreate', async () => (await events('FailedCreate')).some((e) => e.involvedObject.kind === 'ReplicaSet'), 30_000);
    const e = (await events('FailedCreate')).find((x) => x.involvedObject.kind === 'ReplicaSet');
    expect(e?.message).toMatch(/^Error creating: pods ".*" is forbidden: exceeded quota: /);
    // The LimitRange's defaults were applied to the controller's pods.
    for (const p of await pods()) {
      expect(p.spec.containers[0].resources?.requests?.cpu).toBe('100m');
      expect(p.spec.containers[0].resources?.limits?.memory).toBe('64Mi');
    }
    // The refusal is a condition on the ReplicaSet and, copied, on the Deployment, as in Kubernetes.
    const rsFailure = await waitFor('ReplicaFailure on the ReplicaSet', async () => (await replicaFailure('replicasets')).find((x) => x.owner === 'd'), 30_000);
    expect(rsFailure.condition).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(rsFailure.condition.message).toMatch(/^Error creating: pods ".*" is forbidden: exceeded quota: .*pods/);
    const dFailure = await waitFor('ReplicaFailure on the Deployment', async () => (await replicaFailure('deployments')).find((x) => x.name === 'd'), 30_000);
    expect(dFailure.condition).toMatchObject({ status: 'True', reason: 'FailedCreate', message: rsFailure.condition.message });
    const described = kubectlOk(c.kubectl(['describe', 'deployment', 'd', '-n', c.ns]));
    expect(described).toMatch(/ReplicaFailure\s+True\s+FailedCreate/);
  });

  it('a Job with parallelism 10 is bounded the same way', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: {
        parallelism: 10,
        completions: 10,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }] } },
      },
    };
    kubectlOk(c.applyAsTenant(job as unknown as Parameters<typeof c.applyAsTenant>[0]));
    await waitFor('Job FailedCreate', async () => (await events('FailedCreate')).some((e) => e.involvedObject.kind === 'Job'), 30_000);
    await staysAtMost(5, 6);
  });

  it("a CronJob's Job (triggered now with kubectl create job --from) is bounded the same way", async () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: {
        // Never due during the test: the Job is started by hand, as an operator (or an attacker) can.
        schedule: '0 0 1 1 *',
        jobTemplate: {
          spec: {
            parallelism: 10,
            completions: 10,
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }] } },
          },
        },
      },
    };
    kubectlOk(c.applyAsTenant(cronJob as unknown as Parameters<typeof c.applyAsTenant>[0]));
    kubectlOk(c.kubectl(['create', 'job', 'cj-now', '--from=cronjob/cj', '-n', c.ns]));
    await waitFor(
      "FailedCreate on the CronJob's Job",
      async () => (await events('FailedCreate')).some((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === 'cj-now'),
      30_000,
    );
    await staysAtMost(5, 6);
  });

  it('requests.cpu bounds controller pods (LimitRange defaults counted), and ReplicaFailure goes once creates succeed', async () => {
    // Free the pods quota so CPU is what binds: 1 CPU, 400m a pod → 2 pods, not 4.
    for (const [kind, name] of [
      ['deployment', 'd'],
      ['job', 'j'],
      ['job', 'cj-now'],
      ['cronjob', 'cj'],
    ]) {
      kubectlOk(c.kubectl(['delete', kind, name, '-n', c.ns, '--wait=false']));
    }
    await waitFor('every earlier pod gone', async () => (await pods()).length === 0, 90_000);
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cpu' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'cpu' } },
        template: {
          metadata: { labels: { app: 'cpu' } },
          // Only a CPU request: the memory limit comes from the LimitRange default (64Mi).
          spec: { containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'], resources: { requests: { cpu: '400m' } } }] },
        },
      },
    };
    kubectlOk(c.applyAsTenant(dep as unknown as Parameters<typeof c.applyAsTenant>[0]));
    const failure = await waitFor('ReplicaFailure for CPU', async () => (await replicaFailure('deployments')).find((x) => x.name === 'cpu'), 60_000);
    expect(failure.condition.message).toMatch(/exceeded quota: .*requested: requests\.cpu=400m, used: requests\.cpu=800m, limited: requests\.cpu=1/);
    await staysAtMost(2, 6);
    const ps = await pods();
    expect(ps).toHaveLength(2);
    for (const p of ps) expect(p.spec.containers[0].resources?.limits?.memory).toBe('64Mi');
    expect((await quotaUsed())['requests.cpu']).toBe('800m');

    // Within the quota again: the ReplicaSet has what it wants, and both conditions go.
    kubectlOk(c.kubectl(['scale', 'deployment', 'cpu', '--replicas=2', '-n', c.ns]));
    await waitFor('ReplicaFailure gone from the ReplicaSet', async () => !(await replicaFailure('replicasets')).some((x) => x.owner === 'cpu'), 30_000);
    await waitFor('ReplicaFailure gone from the Deployment', async () => !(await replicaFailure('deployments')).some((x) => x.name === 'cpu'), 30_000);
    await c.assertIntact();
  });
});

interface Conditioned {
  metadata: { name: string; ownerReferences?: { name: string }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The ReplicaFailure conditions of the namespace's ReplicaSets or Deployments, with the owner's name. */
async function replicaFailure(
  plural: 'replicasets' | 'deployments',
): Promise<{ name: string; owner?: string; condition: { status: string; reason?: string; message?: string } }[]> {
  const r = await c.api('GET', `/apis/apps/v1/namespaces/${c.ns}/${plural}`, undefined, c.p.token);
  return (r.json() as unknown as { items: Conditioned[] }).items.flatMap((o) => {
    const condition = o.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    return condition ? [{ name: o.metadata.name, owner: o.metadata.ownerReferences?.[0]?.name, condition }] : [];
  });
}
