// Volume attacks from a namespace editor: a symlink planted in an emptyDir and mounted by subPath must not
// reach the host (CVE-2017-1002101 class); a plain subPath still works.
import type { KubeObject } from '@flotilla/resources';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, containerReason, kubectlOk, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;

beforeAll(async () => {
  c = await startAttackCluster('atkvol');
});

afterAll(async () => {
  await c?.stop();
});

/** A pod whose init container runs `plant` in the emptyDir at /n, and whose main container mounts `subPath`. */
function escapePod(name: string, plant: string, subPath: string): KubeObject {
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
          volumeMounts: [{ name: 'v', mountPath: '/m', subPath }],
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
    kubectlOk(c.applyAsTenant(escapePod(pod, plant(c.bait), subPath)));
    await waitFor(`${pod} refused`, async () => containerReason(await c.pod(pod), 'c') === 'CreateContainerConfigError', 60_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await c.pod(pod))?.status)}`);
    });
    const p = await c.pod(pod);
    expect(p?.status?.containerStatuses?.find((s) => s.name === 'c')?.state?.waiting?.message).toMatch(/symlink/);
    await c.assertIntact();
  });

  it('that is a plain sub-directory still works (created if missing)', async () => {
    kubectlOk(c.applyAsTenant(escapePod('legit', 'echo inside > /n/token-dir-marker; mkdir -p /n/d && echo ok > /n/d/admin-token', 'd')));
    await waitFor('legit Running', async () => (await c.pod('legit'))?.status?.phase === 'Running', 60_000);
    // The container printed the file it found at the subPath: the volume's own, not the host's.
    await waitFor('legit logs', async () => kubectlOk(c.kubectl(['logs', 'legit', '-c', 'c', '-n', c.ns])).trim() === 'ok', 30_000);
    await c.assertIntact();
  });
});
