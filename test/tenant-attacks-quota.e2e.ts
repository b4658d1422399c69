// Quota, LimitRange and Pod Security hold for pods a controller creates, not only for a user's own
// (issue 14, item 5): a namespace editor cannot escape `pods: 5` or the CPU quota through a Deployment or
// a Job, and a refused create shows up as a FailedCreate warning on the owner.
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
    for (let i = 0; i < 10; i++) {
      expect((await pods()).length).toBeLessThanOrEqual(5);
      const used = await quotaUsed();
      expect(Number(used.pods)).toBeLessThanOrEqual(5);
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitFor('FailedCreate', async () => (await events('FailedCreate')).some((e) => e.involvedObject.kind === 'ReplicaSet'), 30_000);
    const e = (await events('FailedCreate')).find((x) => x.involvedObject.kind === 'ReplicaSet');
    expect(e?.message).toMatch(/^Error creating: pods ".*" is forbidden: exceeded quota: /);
    // The LimitRange's defaults were applied to the controller's pods.
    for (const p of await pods()) {
      expect(p.spec.containers[0].resources?.requests?.cpu).toBe('100m');
      expect(p.spec.containers[0].resources?.limits?.memory).toBe('64Mi');
    }
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
    expect((await pods()).length).toBeLessThanOrEqual(5);
    for (let i = 0; i < 6; i++) {
      expect((await pods()).length).toBeLessThanOrEqual(5);
      await new Promise((r) => setTimeout(r, 500));
    }
    await c.assertIntact();
  });
});
