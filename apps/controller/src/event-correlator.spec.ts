import type { PlannedEvent } from '@flotilla/controllers';
import { EventCorrelator } from './event-correlator';

const rs = { kind: 'ReplicaSet', namespace: 'ns', name: 'web-1', uid: 'u1', apiVersion: 'apps/v1' };
const created = (i: number, object = rs): PlannedEvent => ({
  involvedObject: object,
  type: 'Normal',
  reason: 'SuccessfulCreate',
  message: `Created pod: web-${i}`,
});

describe('EventCorrelator', () => {
  it('keeps the first 10 similar events apart, then combines the rest into one', () => {
    const c = new EventCorrelator('replicaset-controller');
    const out = Array.from({ length: 20 }, (_, i) => c.correlate(created(i), 0)!);
    expect(new Set(out.slice(0, 10).map((e) => e.key)).size).toBe(10);
    expect(out.slice(0, 10).map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `Created pod: web-${i}`));
    const combined = out.slice(10);
    expect(new Set(combined.map((e) => e.key)).size).toBe(1);
    expect(combined[0].key).not.toBe(out[0].key);
    expect(combined[9].message).toBe('(combined from similar events): Created pod: web-19');
  });

  it('drops events beyond a burst of 25 per object and lets them through again as the bucket refills', () => {
    const c = new EventCorrelator('replicaset-controller');
    const passed = Array.from({ length: 100 }, (_, i) => c.correlate(created(i), 1000)).filter(Boolean).length;
    expect(passed).toBe(25);
    expect(c.correlate(created(100), 1000 + 299_000)).toBeUndefined();
    expect(c.correlate(created(101), 1000 + 300_000)).toBeDefined();
    // Another object has its own bucket.
    expect(c.correlate(created(0, { ...rs, name: 'web-2', uid: 'u2' }), 1000)).toBeDefined();
  });

  it('repeats of one message keep their own key, and similar events start over after 10 minutes', () => {
    const c = new EventCorrelator('replicaset-controller');
    for (let i = 0; i < 10; i++) c.correlate(created(i), 0);
    expect(c.correlate(created(3), 0)!.message).toBe('Created pod: web-3');
    expect(c.correlate(created(50), 0)!.message).toMatch(/^\(combined/);
    expect(c.correlate(created(51), 600_001 + 300_000)!.message).toBe('Created pod: web-51');
  });

  it('tells different reasons apart', () => {
    const c = new EventCorrelator('replicaset-controller');
    for (let i = 0; i < 10; i++) c.correlate(created(i), 0);
    const deleted = c.correlate({ involvedObject: rs, type: 'Normal', reason: 'SuccessfulDelete', message: 'Deleted pod: web-0' }, 0)!;
    expect(deleted.message).toBe('Deleted pod: web-0');
  });
});
