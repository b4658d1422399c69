import { resourceFor } from '@flotilla/resources';
import { planDelete } from './lifecycle';

const POD = resourceFor('', 'v1', 'pods')!;
const pod = (grace: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { nodeName: 'n1', terminationGracePeriodSeconds: grace, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running' },
});

describe('planDelete', () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('marks a bound pod for deletion after its grace period', () => {
    const plan = planDelete(POD, pod(30), { hasDependents: false }, now);
    expect(plan.action).toBe('mark');
    expect(plan.object.metadata.deletionTimestamp).toBe('2026-12-03T12:00:30Z');
    expect(plan.object.metadata.deletionGracePeriodSeconds).toBe(30);
  });

  it('takes any int64 grace a tenant may set without failing (found by the fuzz pass)', () => {
    for (const grace of [9_007_199_254_740_991, 2 ** 62]) {
      const plan = planDelete(POD, pod(grace), { hasDependents: false }, now);
      expect(plan.object.metadata.deletionTimestamp).toBe('9999-12-31T23:59:59Z');
    }
    expect(planDelete(POD, pod(30), { hasDependents: false, gracePeriodSeconds: 2 ** 60 }, now).action).toBe('mark');
  });
});
