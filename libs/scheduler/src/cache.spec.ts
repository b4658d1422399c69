import { SchedulerCache } from './cache';
import { boundPod, node, pod } from './testing/fixtures';

function requested(cache: SchedulerCache, name: string) {
  return cache.nodeInfo(name)?.requested;
}

describe('SchedulerCache', () => {
  it('accounts a bound pod on its node', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    cache.upsertPod(boundPod('a', 'n1', { cpu: '500m', memory: '1Gi', owner: 'rs' }));
    expect(requested(cache, 'n1')).toEqual({ milliCpu: 500, memory: 1024 ** 3, pods: 1 });
    expect(cache.nodeInfo('n1')?.controllers.get('uid-rs')).toBe(1);
  });

  it('reads allocatable, falling back to capacity', () => {
    const cache = new SchedulerCache();
    const n = node('n1');
    n.status = { capacity: { cpu: '2', memory: '1Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] };
    cache.upsertNode(n);
    expect(cache.nodeInfo('n1')?.allocatable).toEqual({ milliCpu: 2000, memory: 1024 ** 3, pods: 10 });
  });

  it('is idempotent by pod uid', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const p = boundPod('a', 'n1', { cpu: '500m', owner: 'rs' });
    cache.upsertPod(p);
    cache.upsertPod(p);
    expect(requested(cache, 'n1')?.milliCpu).toBe(500);
    expect(requested(cache, 'n1')?.pods).toBe(1);
    expect(cache.nodeInfo('n1')?.controllers.get('uid-rs')).toBe(1);
  });

  it('moves the accounting when a pod appears on another node', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    cache.upsertNode(node('n2'));
    const p = boundPod('a', 'n1', { cpu: '500m' });
    cache.upsertPod(p);
    cache.upsertPod({ ...p, spec: { ...p.spec, nodeName: 'n2' } });
    expect(requested(cache, 'n1')).toEqual({ milliCpu: 0, memory: 0, pods: 0 });
    expect(requested(cache, 'n2')?.milliCpu).toBe(500);
  });

  it.each(['Succeeded', 'Failed'] as const)('frees what a %s pod held', (phase) => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const p = boundPod('a', 'n1', { cpu: '500m', owner: 'rs' });
    cache.upsertPod(p);
    cache.upsertPod({ ...p, status: { phase } });
    expect(requested(cache, 'n1')).toEqual({ milliCpu: 0, memory: 0, pods: 0 });
    expect(cache.nodeInfo('n1')?.controllers.size).toBe(0);
  });

  it('frees what a pod being deleted held, and removePod frees it too', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const a = boundPod('a', 'n1', { cpu: '500m' });
    const b = boundPod('b', 'n1', { cpu: '250m' });
    cache.upsertPod(a);
    cache.upsertPod(b);
    cache.upsertPod({ ...a, metadata: { ...a.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } });
    expect(requested(cache, 'n1')?.milliCpu).toBe(250);
    cache.removePod(b.metadata.uid!);
    expect(requested(cache, 'n1')?.milliCpu).toBe(0);
    expect(cache.podCount).toBe(0);
  });

  it('keeps an assumption until the bind is seen, and lets forget() undo it', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const p = pod('a', { cpu: '1' });
    cache.assume(p, 'n1');
    expect(requested(cache, 'n1')?.milliCpu).toBe(1000);
    // A status update of the still-unbound pod must not drop the assumption.
    cache.upsertPod(p);
    expect(cache.isAssumed(p.metadata.uid!)).toBe(true);
    cache.forget(p.metadata.uid!);
    expect(requested(cache, 'n1')?.milliCpu).toBe(0);
  });

  it('confirms an assumption when the bound pod arrives, after which forget() does nothing', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const p = pod('a', { cpu: '1' });
    cache.assume(p, 'n1');
    cache.upsertPod({ ...p, spec: { ...p.spec, nodeName: 'n1' } });
    expect(cache.isAssumed(p.metadata.uid!)).toBe(false);
    cache.forget(p.metadata.uid!);
    expect(requested(cache, 'n1')?.milliCpu).toBe(1000);
  });

  it('refuses to assume a pod that is already bound', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node('n1'));
    const p = boundPod('a', 'n1');
    cache.upsertPod(p);
    expect(() => cache.assume(p, 'n1')).toThrow(/already bound to node n1/);
  });

  it('keeps the accounting of pods whose node is briefly gone or not yet seen', () => {
    const cache = new SchedulerCache();
    cache.upsertPod(boundPod('a', 'n1', { cpu: '1' }));
    expect(cache.nodeInfo('n1')).toBeUndefined();
    cache.upsertNode(node('n1'));
    expect(requested(cache, 'n1')?.milliCpu).toBe(1000);
    cache.removeNode('n1');
    expect(cache.nodeCount).toBe(0);
    cache.upsertNode(node('n1'));
    expect(requested(cache, 'n1')?.milliCpu).toBe(1000);
  });

  it('removes nodes without disturbing the others', () => {
    const cache = new SchedulerCache();
    for (const n of ['n1', 'n2', 'n3']) cache.upsertNode(node(n));
    cache.removeNode('n1');
    cache.removeNode('missing');
    expect(cache.nodes.map((n) => n.name).sort()).toEqual(['n2', 'n3']);
    expect(cache.nodes.map((n) => n.index)).toEqual([0, 1]);
  });
});
