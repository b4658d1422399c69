// Volume attacks from a namespace editor: a symlink planted in an emptyDir (or swapped in while the pod runs)
// and mounted by subPath or subPathExpr must not reach the host (CVE-2017-1002101 class); a refused mount is
// CreateContainerConfigError plus a Warning Event; plain subPath and subPathExpr still work; the agent leaves
// no bind mount behind once the pods are gone.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeEvent, KubeObject } from '@flotilla/resources';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, containerReason, kubectlOk, sh, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;
const agentDir = mkdtempSync(join(tmpdir(), 'atkvol-agent-'));
const subPathDir = join(agentDir, 'subpaths');

/** Mount points under the agent's subPath directory, as the host sees them. */
function bindsLeft(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((mp) => mp.startsWith(`${subPathDir}/`));
}

// A bind left behind by a pod that no longer exists (an agent killed before it cleaned up): swept at start.
const staleSource = mkdtempSync(join(tmpdir(), 'atkvol-stale-'));
const staleBind = join(subPathDir, 'gone-pod-uid', 'c', '0');
writeFileSync(join(staleSource, 'keep'), 'tenant data');

beforeAll(async () => {
  mkdirSync(staleBind, { recursive: true });
  sh(`mount --bind '${staleSource}' '${staleBind}'`);
  if (!bindsLeft().includes(staleBind)) throw new Error(`could not make the stale bind ${staleBind}`);
  c = await startAttackCluster('atkvol', { agentEnv: { FLOTILLA_AGENT_DATA_DIR: agentDir } });
});

afterAll(async () => {
  await c?.stop();
  // Only if a test failed before the agent removed its binds: never leave a mount on the host.
  for (const mp of bindsLeft().reverse()) sh(`umount -l '${mp}'`);
  rmSync(agentDir, { recursive: true, force: true });
  rmSync(staleSource, { recursive: true, force: true });
});

describe('the agent at start', () => {
  it('removes the subPath binds of pods that no longer exist', async () => {
    await waitFor('stale bind swept', async () => !bindsLeft().includes(staleBind) && !existsSync(join(subPathDir, 'gone-pod-uid')), 30_000);
    // Unmounted, not emptied: the directory it bound is as it was.
    expect(readFileSync(join(staleSource, 'keep'), 'utf8')).toBe('tenant data');
  });
});

/** Waits for the container to be refused with CreateContainerConfigError and the pod's `Failed` Warning Event; returns both messages. */
async function refused(pod: string, container = 'c'): Promise<{ waiting: string; event: string }> {
  await waitFor(`${pod} refused`, async () => containerReason(await c.pod(pod), container) === 'CreateContainerConfigError', 60_000).catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify((await c.pod(pod))?.status)}`);
  });
  const waiting = (await c.pod(pod))?.status?.containerStatuses?.find((s) => s.name === container)?.state?.waiting?.message ?? '';
  let event: KubeEvent | undefined;
  await waitFor(
    `${pod} Failed event`,
    async () => {
      const list = JSON.parse(kubectlOk(c.kubectl(['get', 'events', '-n', c.ns, '-o', 'json']))) as { items: KubeEvent[] };
      event = list.items.find(
        (e) => e.involvedObject.name === pod && e.reason === 'Failed' && e.type === 'Warning' && e.involvedObject.fieldPath === `spec.containers{${container}}`,
      );
      return event !== undefined;
    },
    30_000,
  );
  return { waiting, event: event?.message ?? '' };
}

/**
 * A pod whose init container runs `plant` in the emptyDir at /n, and whose main container mounts it at /m by
 * `mount` (subPath or subPathExpr), with POD_NAME (downward API) and UP=".." in its environment.
 */
function escapePod(name: string, plant: string, mount: { subPath: string } | { subPathExpr: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'v', emptyDir: {} }],
      initContainers: [{ name: 'plant', image: 'flotilla/busybox:1', command: ['sh', '-c', plant], volumeMounts: [{ name: 'v', mountPath: '/n' }] }],
      containers: [
        {
          name: 'c',
          image: 'flotilla/busybox:1',
          command: ['sh', '-c', 'cat /m/admin-token; sleep 3600'],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'UP', value: '..' },
          ],
          volumeMounts: [{ name: 'v', mountPath: '/m', ...mount }],
        },
      ],
    },
  } as KubeObject;
}

describe('a namespace editor mounting a subPath', () => {
  const cases: [string, (bait: string) => string, string][] = [
    ['direct', (b) => `ln -s ${b} /n/esc`, 'esc'],
    ['chain', (b) => `ln -s ${b} /n/one && ln -s /n/one /n/esc`, 'esc'],
    ['intermediate', (b) => `mkdir -p /n/a && ln -s ${b} /n/a/esc`, 'a/esc/b'],
  ];
  it.each(cases)('through a %s symlink to the host gets CreateContainerConfigError and the bait is untouched', async (name, plant, subPath) => {
    const pod = `esc-${name}`;
    kubectlOk(c.applyAsTenant(escapePod(pod, plant(c.bait), { subPath })));
    const { waiting, event } = await refused(pod);
    expect(waiting).toMatch(/symlink/);
    expect(event).toContain(waiting);
    await c.assertIntact();
  });

  it('that is a plain sub-directory still works (created if missing)', async () => {
    kubectlOk(c.applyAsTenant(escapePod('legit', 'echo inside > /n/token-dir-marker; mkdir -p /n/d && echo ok > /n/d/admin-token', { subPath: 'd' })));
    await waitFor('legit Running', async () => (await c.pod('legit'))?.status?.phase === 'Running', 60_000);
    // The container printed the file it found at the subPath: the volume's own, not the host's.
    await waitFor('legit logs', async () => kubectlOk(c.kubectl(['logs', 'legit', '-c', 'c', '-n', c.ns])).trim() === 'ok', 30_000);
    await c.assertIntact();
  });
});

describe('a namespace editor mounting a subPathExpr', () => {
  it.each([
    ['absolute', '/$(POD_NAME)'],
    ['dotdot', '$(POD_NAME)/../..'],
  ])('that is %s is refused at admission with 422 naming the field', async (name, expr) => {
    const r = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods`, escapePod(`expr-${name}`, 'true', { subPathExpr: expr }));
    expect(r.status).toBe(422);
    const status = r.json() as { kind?: string; details?: { causes?: { field?: string }[] } };
    expect(status.kind).toBe('Status');
    expect(status.details?.causes?.map((x) => x.field)).toContain('spec.containers[0].volumeMounts[0].subPathExpr');
    expect(await c.pod(`expr-${name}`)).toBeUndefined();
    await c.assertIntact();
  });

  it('whose $(VAR) expands to ".." is refused by the agent with an Event', async () => {
    kubectlOk(c.applyAsTenant(escapePod('expr-var', 'true', { subPathExpr: '$(UP)/$(UP)/$(UP)/$(UP)/$(UP)/$(UP)/tmp' })));
    const { waiting, event } = await refused('expr-var');
    expect(waiting).toMatch(/expands to "\.\.\/.*must not contain "\.\."/);
    expect(event).toContain(waiting);
    await c.assertIntact();
  });

  it("$(POD_NAME) mounts the pod's own sub-directory", async () => {
    kubectlOk(c.applyAsTenant(escapePod('expr-ok', 'mkdir -p /n/expr-ok && echo expr-ok > /n/expr-ok/admin-token', { subPathExpr: '$(POD_NAME)' })));
    await waitFor('expr-ok logs', async () => c.kubectl(['logs', 'expr-ok', '-c', 'c', '-n', c.ns]).stdout.trim() === 'expr-ok', 60_000);
    await c.assertIntact();
  });
});

describe('a link swapped in while the pod runs', () => {
  it('is not followed when the container restarts: the restart is refused, the bait never seen', async () => {
    // `c` mounts subPath d (a real directory), marks it and exits after a while; once the mark is there, the
    // sidecar replaces d with a link to the host bait. The restart of `c` must not bind the bait.
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'swap' },
      spec: {
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [
          {
            name: 'c',
            image: 'flotilla/busybox:1',
            command: ['sh', '-c', 'touch /m/started; until [ -e /m/swapped ]; do sleep 0.2; done; echo run; cat /m/admin-token; exit 1'],
            volumeMounts: [{ name: 'v', mountPath: '/m', subPath: 'd' }],
          },
          {
            name: 'sidecar',
            image: 'flotilla/busybox:1',
            command: ['sh', '-c', `until [ -e /n/d/started ]; do sleep 0.2; done; mv /n/d /n/d-old; ln -s ${c.bait} /n/d; touch /n/d-old/swapped; sleep 3600`],
            volumeMounts: [{ name: 'v', mountPath: '/n' }],
          },
        ],
      },
    };
    kubectlOk(c.applyAsTenant(pod));
    const { waiting, event } = await refused('swap');
    expect(waiting).toMatch(/symlink/);
    expect(event).toContain(waiting);
    const p = await c.pod('swap');
    const st = p?.status?.containerStatuses?.find((s) => s.name === 'c');
    // It did run once (in the real directory) and then was refused; it never printed the bait.
    expect(st?.lastState?.terminated?.exitCode).toBe(1);
    const logs = c.kubectl(['logs', 'swap', '-c', 'c', '-n', c.ns]).stdout;
    expect(logs).toContain('run');
    expect(logs).not.toContain('bait-token');
    await c.assertIntact();
  });
});

describe('after the pods are deleted', () => {
  it("no subPath bind is left under the agent's directory", async () => {
    expect(bindsLeft().length).toBeGreaterThan(0);
    kubectlOk(c.kubectl(['delete', 'pods', '--all', '-n', c.ns, '--wait=false']));
    await waitFor('pods gone', async () => JSON.parse(kubectlOk(c.kubectl(['get', 'pods', '-n', c.ns, '-o', 'json']))).items.length === 0, 90_000);
    await waitFor('binds removed', async () => bindsLeft().length === 0, 30_000).catch(() => {
      throw new Error(`mounts left: ${bindsLeft().join(', ')}`);
    });
    await c.assertIntact();
  });
});
