// Pods written past admission: rows put straight into the store (as a bug or a compromised controller
// would), bound to the node. The agent is the last wall before the host: it judges each pod again by its
// namespace's Pod Security level, refuses what the level forbids (pod Failed, reason and Event), refuses
// hostile names and paths in the runtime, and survives all of it. (The runtime also refuses privileged
// settings on its own on a node that does not allow them; the agent's check is what reads the namespace's
// level, so a restricted namespace is held to restricted, and a refusal is a clear Failed pod.)
import { execFileSync } from 'node:child_process';
import type { KubeObject, Pod } from '@flotilla/resources';
import { MAX_EXEC_BYTES, MAX_EXEC_STRING_BYTES, MAX_POD_CONTAINERS, resourceFor } from '@flotilla/resources';
import { Store } from '@flotilla/store';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, containerReason, startAttackCluster } from './support/attacks';
import { testDatabaseUrl } from './support/env';

jest.setTimeout(180_000);

let c: AttackCluster;
let store: Store;
const POD = resourceFor('', 'v1', 'pods')!;

beforeAll(async () => {
  c = await startAttackCluster('atkag');
  store = await Store.open({ databaseUrl: testDatabaseUrl(), maxConnections: 2 });
});

afterAll(async () => {
  await store?.close();
  await c?.stop();
});

const admin = (method: string, path: string, body?: unknown) => c.api(method, path, body, c.p.token);

/** Straight into the store: no authentication, no admission, already bound to the node. */
async function writePastAdmission(ns: string, name: string, spec: Record<string, unknown>): Promise<Pod> {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      nodeName: c.nodeName,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }],
      ...spec,
    },
  } as KubeObject;
  return (await store.create(POD, obj, ns)) as Pod;
}

function containersOf(uid: string): string {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=flotilla.pod.uid=${uid}`], { encoding: 'utf8' }).trim();
}

async function eventsOf(ns: string, name: string): Promise<{ reason?: string; type?: string; message?: string }[]> {
  const r = await admin('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`);
  return ((r.json() as { items?: { reason?: string; type?: string; message?: string }[] }).items ?? []).filter(Boolean);
}

/** waitFor, with the pod's status and the agent's last log lines in the failure. */
async function waitForPod<T>(name: string, what: string, check: (p: Pod | undefined) => T | undefined, ms = 60_000, ns?: string): Promise<T> {
  try {
    return await waitFor(what, async () => check(await c.pod(name, ns)), ms);
  } catch (e) {
    const p = await c.pod(name, ns);
    throw new Error(`${String(e)}\nstatus: ${JSON.stringify(p?.status)}\nagent:\n${c.agent.logs().slice(-4000)}`);
  }
}

const busybox = (extra: Record<string, unknown>) => [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'], ...extra }];

describe('a pod the API never admitted', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'privileged',
      { containers: busybox({ securityContext: { privileged: true } }) },
      'privileged (container "c" must not set securityContext.privileged=true)',
    ],
    [
      'hostpath-root',
      { volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: busybox({ volumeMounts: [{ name: 'root', mountPath: '/host' }] }) },
      'hostPath volumes (volume "root")',
    ],
    ['host-namespaces', { hostNetwork: true, hostPID: true }, 'host namespaces (hostNetwork=true, hostPID=true)'],
    ['sys-admin', { containers: busybox({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }) }, 'non-default capabilities'],
    ['unconfined', { containers: busybox({ securityContext: { seccompProfile: { type: 'Unconfined' } } }) }, 'seccompProfile'],
  ])('%s: is refused by the agent (Failed, reason PodSecurity, an Event), nothing of it runs', async (name, spec, why) => {
    const created = await writePastAdmission(c.ns, name, spec);
    const pod = await waitFor(`${name} Failed`, async () => {
      const p = await c.pod(name);
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    expect(pod.status?.reason).toBe('PodSecurity');
    expect(pod.status?.message).toContain('violates PodSecurity "baseline:latest"');
    expect(pod.status?.message).toContain(why);
    expect(containersOf(created.metadata.uid!)).toBe('');
    const ev = await waitFor(`${name} PodSecurity event`, async () => (await eventsOf(c.ns, name)).find((e) => e.reason === 'PodSecurity'));
    expect(ev.type).toBe('Warning');
    expect(ev.message).toContain(why);
  });

  it('with an image that walks out of the registry path waits with InvalidImageName', async () => {
    await writePastAdmission(c.ns, 'traversal', { containers: busybox({ image: '../../etc/passwd' }) });
    const reason = await waitForPod('traversal', 'traversal waiting', (p) => containerReason(p, 'c'));
    expect(reason).toBe('InvalidImageName');
  });

  it('with a subPath that climbs out of its volume waits with CreateContainerConfigError', async () => {
    await writePastAdmission(c.ns, 'climb', {
      volumes: [{ name: 'v', emptyDir: {} }],
      containers: busybox({ volumeMounts: [{ name: 'v', mountPath: '/v', subPath: '../../../../etc' }] }),
    });
    const reason = await waitForPod('climb', 'climb waiting', (p) => containerReason(p, 'c'));
    expect(reason).toBe('CreateContainerConfigError');
  });

  it('of a namespace its cluster admin labelled restricted is judged at that level (the agent reads the label)', async () => {
    // A plain pod, which baseline and the runtime would run: only the namespace's label makes it wrong.
    const ns = (await admin('GET', `/api/v1/namespaces/${c.victimNs}`)).json() as unknown as KubeObject;
    ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'pod-security.kubernetes.io/enforce': 'restricted' };
    expect((await admin('PUT', `/api/v1/namespaces/${c.victimNs}`, ns)).status).toBe(200);
    await writePastAdmission(c.victimNs, 'plain', {});
    const pod = await waitFor('plain Failed', async () => {
      const p = await c.pod('plain', c.victimNs);
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    expect(pod.status?.reason).toBe('PodSecurity');
    expect(pod.status?.message).toContain('violates PodSecurity "restricted:latest"');
    expect(pod.status?.message).toContain('allowPrivilegeEscalation');
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'thousands',
      { containers: Array.from({ length: 3000 }, (_, i) => ({ name: `c${i}`, image: 'flotilla/busybox:1', command: ['sleep', '3600'] })) },
      `spec.containers: Too many: 3000: must have at most ${MAX_POD_CONTAINERS} items`,
    ],
    [
      'huge-env',
      { containers: busybox({ env: Array.from({ length: 40 }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(64 * 1024) })) }) },
      `spec.containers[0].env: Too long: command, args and env together may not be more than ${MAX_EXEC_BYTES} bytes`,
    ],
    [
      'huge-command',
      { containers: busybox({ command: ['sh', '-c', 'x'.repeat(MAX_EXEC_STRING_BYTES + 1)] }) },
      `spec.containers[0].command[2]: Too long: may not be more than ${MAX_EXEC_STRING_BYTES} bytes`,
    ],
  ])('%s: is refused by the agent at once (Failed, reason PodExceedsLimits), nothing of it made', async (name, spec, why) => {
    // The API refuses the same spec with a 422 naming the field.
    const refused = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain(why.split(':')[0]);
    const created = await writePastAdmission(c.ns, name, spec);
    const pod = await waitForPod(name, `${name} Failed`, (p) => (p?.status?.phase === 'Failed' ? p : undefined));
    expect(pod.status?.reason).toBe('PodExceedsLimits');
    expect(pod.status?.message).toContain(why);
    expect(containersOf(created.metadata.uid!)).toBe('');
  });

  it('with env from a Secret too large to exec waits with CreateContainerConfigError (admission cannot see it)', async () => {
    const value = 'y'.repeat(MAX_EXEC_STRING_BYTES);
    expect((await c.api('POST', `/api/v1/namespaces/${c.ns}/secrets`, { metadata: { name: 'big' }, stringData: { v: value } })).status).toBe(201);
    const spec = { containers: busybox({ env: [{ name: 'BIG', valueFrom: { secretKeyRef: { name: 'big', key: 'v' } } }] }) };
    expect((await c.api('POST', `/api/v1/namespaces/${c.ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big-secret' }, spec })).status).toBe(
      201,
    );
    const p = await waitForPod('big-secret', 'big-secret refused', (q) => (containerReason(q, 'c') === 'CreateContainerConfigError' ? q : undefined));
    expect(JSON.stringify(p.status)).toContain(`container c env BIG: Too long: may not be more than ${MAX_EXEC_STRING_BYTES} bytes`);
  });

  it('leaves the node Ready, the agent alive and the host untouched', async () => {
    // The agent still runs an ordinary pod after all of the above.
    await writePastAdmission(c.ns, 'after', {});
    await waitForPod('after', 'after Running', (p) => (p?.status?.phase === 'Running' ? true : undefined), 90_000);
    await c.assertIntact();
  });
});
