import type { Pod } from '@flotilla/resources';
import { SchedulerCache } from './cache';
import { explainUnschedulable, fitErrorMessage, needsScheduling, numFeasibleNodesToFind, schedule } from './schedule';
import type { ScheduleResult } from './schedule';
import { boundPod, fixedRng, node, pod } from './testing/fixtures';
import type { NodeFixture } from './testing/fixtures';

function cluster(nodes: Record<string, NodeFixture>, pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const [name, f] of Object.entries(nodes)) cache.upsertNode(node(name, f));
  for (const p of pods) cache.upsertPod(p);
  return cache;
}

function placed(r: ScheduleResult): string {
  if (r.nodeName === null) throw new Error(`expected a placement, got: ${r.message}`);
  return r.nodeName;
}

/** Schedules and assumes each pod in turn, as the worker does for a batch. */
function scheduleBatch(cache: SchedulerCache, pods: Pod[], rng = fixedRng()): string[] {
  return pods.map((p) => {
    const name = placed(schedule(p, cache, { rng }));
    cache.assume(p, name);
    return name;
  });
}

describe('schedule: failures', () => {
  it('explains a mixed cluster in kube-scheduler format, reasons sorted as strings', () => {
    const cache = cluster({
      big1: { memory: '1Gi' },
      big2: { memory: '1Gi' },
      big3: { memory: '1Gi' },
      lost1: { ready: 'Unknown' },
      lost2: { ready: 'Unknown' },
    });
    const r = schedule(pod('p', { memory: '2Gi' }), cache);
    expect(r).toEqual({
      nodeName: null,
      reasons: { 'Insufficient memory': 3, 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }': 2 },
      message: '0/5 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 Insufficient memory.',
    });
  });

  it('counts every reason a node gives', () => {
    const cache = cluster({ a: { cpu: '1', memory: '1Gi' }, b: { cpu: '1', memory: '4Gi' }, c: { unschedulable: true } });
    const r = schedule(pod('p', { cpu: '2', memory: '2Gi' }), cache);
    expect(r.nodeName).toBeNull();
    if (r.nodeName !== null) return;
    expect(r.reasons).toEqual({ 'Insufficient cpu': 2, 'Insufficient memory': 1, 'node(s) were unschedulable': 1 });
    expect(r.message).toBe('0/3 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient cpu.');
  });

  it('says so when there are no nodes at all', () => {
    expect(schedule(pod('p'), new SchedulerCache())).toEqual({
      nodeName: null,
      reasons: {},
      message: 'no nodes available to schedule pods',
    });
  });

  it('refuses to schedule a pod that already has a node', () => {
    expect(() => schedule(boundPod('p', 'n1'), cluster({ n1: {} }))).toThrow(/already bound to node n1/);
  });

  it('builds the PodScheduled condition for a failure', () => {
    const r = schedule(pod('p', { cpu: '8' }), cluster({ n1: {} }));
    if (r.nodeName !== null) throw new Error('expected a failure');
    expect(explainUnschedulable(r, new Date('2024-05-01T00:00:00Z'))).toEqual({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
      lastProbeTime: null,
      lastTransitionTime: '2024-05-01T00:00:00.000Z',
    });
  });

  it('sorts reason counts as strings, as Go sort.Strings does', () => {
    expect(fitErrorMessage(12, { 'Too many pods': 10, 'Insufficient cpu': 2 })).toBe('0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu.');
  });
});

describe('schedule: placement', () => {
  it('skips unschedulable, NotReady and tainted nodes', () => {
    const cache = cluster({
      cordoned: { unschedulable: true },
      down: { ready: 'False' },
      lost: { ready: 'Unknown' },
      tainted: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
      good: {},
    });
    for (let i = 0; i < 10; i++) expect(placed(schedule(pod(`p${i}`), cache))).toBe('good');
  });

  it('lets a pod tolerating the unreachable taint land on an unreachable node', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(placed(schedule(p, cluster({ lost: { ready: 'Unknown' }, cordoned: { unschedulable: true } })))).toBe('lost');
  });

  it('prefers the emptier node (least allocated)', () => {
    const cache = cluster({ busy: {}, idle: {} }, [boundPod('a', 'busy', { cpu: '2', memory: '4Gi' })]);
    expect(placed(schedule(pod('p', { cpu: '100m', memory: '128Mi' }), cache))).toBe('idle');
  });

  it('makes the next pod of a batch see what assume() took', () => {
    const cache = cluster({ n1: { cpu: '1' }, n2: { cpu: '1' } });
    const [first, second] = scheduleBatch(cache, [pod('a', { cpu: '600m' }), pod('b', { cpu: '600m' })]);
    expect(second).not.toBe(first);
    const third = schedule(pod('c', { cpu: '600m' }), cache);
    expect(third.nodeName).toBeNull();
    if (third.nodeName === null) expect(third.reasons).toEqual({ 'Insufficient cpu': 2 });
  });

  it('spreads three replicas of one controller over three equal nodes', () => {
    // Nodes this large make the least-allocated score identical, so only spreading can separate them.
    const big = { cpu: '1000', memory: '1000Gi' };
    const cache = cluster({ n1: big, n2: big, n3: big });
    const replicas = [1, 2, 3].map((i) => pod(`web-${i}`, { owner: 'web', cpu: '100m', memory: '100Mi' }));
    expect(new Set(scheduleBatch(cache, replicas, fixedRng(0)))).toEqual(new Set(['n1', 'n2', 'n3']));
  });

  it('puts 100 replicas of one controller on 100 different nodes', () => {
    const nodes: Record<string, NodeFixture> = {};
    for (let i = 0; i < 100; i++) nodes[`n${i}`] = { cpu: '1000', memory: '1000Gi' };
    const cache = cluster(nodes);
    const replicas = Array.from({ length: 100 }, (_, i) => pod(`web-${i}`, { owner: 'web', cpu: '100m' }));
    expect(new Set(scheduleBatch(cache, replicas, fixedRng(0))).size).toBe(100);
  });

  it('does not spread away from pods of another controller', () => {
    const big = { cpu: '1000', memory: '1000Gi' };
    const cache = cluster({ n1: big, n2: big }, [boundPod('db-1', 'n1', { owner: 'db' }), boundPod('web-1', 'n2', { owner: 'web' })]);
    expect(placed(schedule(pod('web-2', { owner: 'web' }), cache, { rng: fixedRng(0) }))).toBe('n1');
  });

  it('lets preferred node affinity win over a small allocation difference', () => {
    const cache = cluster({ plain: {}, ssd: { labels: { disk: 'ssd' } } }, [boundPod('a', 'ssd', { cpu: '500m', memory: '1Gi' })]);
    const p = pod('p', {
      cpu: '100m',
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            ],
          },
        },
      },
    });
    expect(placed(schedule(p, cache))).toBe('ssd');
  });

  it('avoids a PreferNoSchedule taint when it can, and uses the node when it must', () => {
    const spot = { taints: [{ key: 'spot', effect: 'PreferNoSchedule' as const }] };
    expect(placed(schedule(pod('p'), cluster({ spot, regular: {} }), { rng: fixedRng(0) }))).toBe('regular');
    expect(placed(schedule(pod('p'), cluster({ spot, full: { pods: 0 } })))).toBe('spot');
  });

  it('breaks ties with the injected rng', () => {
    const pick = (v: number) => placed(schedule(pod('p'), cluster({ a: {}, b: {}, c: {} }), { rng: fixedRng(v) }));
    // Reservoir sampling: rng 0 keeps replacing (last tie wins), rng 0.99 never does (first tie wins).
    expect(pick(0)).toBe('c');
    expect(pick(0.99)).toBe('a');
  });

  it('returns the weighted score of the chosen node', () => {
    // Empty 4-core/8Gi node, 1 core + 2Gi: 75% free of each; spread, affinity and taint scores all maxed.
    const r = schedule(pod('p', { cpu: '1', memory: '2Gi' }), cluster({ n1: {} }));
    expect(r).toEqual({ nodeName: 'n1', score: 75 * 1 + 100 * 2 + 0 * 2 + 100 * 3 });
  });
});

describe('schedule: sampling', () => {
  it('checks every node below 100 nodes and follows kube-scheduler’s adaptive percentage above', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(200)).toBe(100); // 48% is 96, raised to the 100-node minimum
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50 - 1000/125 = 42%
    expect(numFeasibleNodesToFind(5000)).toBe(500); // 10%
    expect(numFeasibleNodesToFind(20000)).toBe(1000); // floor of 5%
  });

  it('honours an explicit percentage, but never fewer than 100 nodes', () => {
    expect(numFeasibleNodesToFind(1000, 10)).toBe(100);
    expect(numFeasibleNodesToFind(1000, 30)).toBe(300);
    expect(numFeasibleNodesToFind(1000, 150)).toBe(1000);
  });

  it('stops filtering once enough nodes are feasible and starts the next pod where it stopped', () => {
    const nodes: Record<string, NodeFixture> = {};
    for (let i = 0; i < 1000; i++) nodes[`n${String(i).padStart(4, '0')}`] = {};
    const cache = cluster(nodes);
    schedule(pod('p1'), cache);
    expect(cache.nextStartIndex).toBe(420);
    schedule(pod('p2'), cache);
    expect(cache.nextStartIndex).toBe(840);
    schedule(pod('p3'), cache);
    expect(cache.nextStartIndex).toBe(260);
  });

  it('chooses only among the sampled nodes', () => {
    const nodes: Record<string, NodeFixture> = {};
    for (let i = 0; i < 200; i++) nodes[`n${i}`] = {};
    const cache = cluster(nodes);
    // Every tie replaced: the last of the first 100 sampled nodes wins.
    expect(placed(schedule(pod('p'), cache, { rng: fixedRng(0) }))).toBe('n99');
    expect(placed(schedule(pod('q'), cache, { rng: fixedRng(0) }))).toBe('n199');
  });

  it('keeps looking past infeasible nodes until it finds enough feasible ones', () => {
    const nodes: Record<string, NodeFixture> = {};
    for (let i = 0; i < 300; i++) nodes[`n${i}`] = i < 250 ? { unschedulable: true } : {};
    expect(placed(schedule(pod('p'), cluster(nodes), { rng: fixedRng(0) }))).toBe('n299');
  });
});

describe('needsScheduling', () => {
  it('is true only for live, unbound pods addressed to the default scheduler', () => {
    expect(needsScheduling(pod('p'))).toBe(true);
    expect(needsScheduling(pod('p', { spec: { schedulerName: 'default-scheduler' } }))).toBe(true);
    expect(needsScheduling(boundPod('p', 'n1'))).toBe(false);
    expect(needsScheduling(pod('p', { deleting: true }))).toBe(false);
    expect(needsScheduling(pod('p', { phase: 'Failed' }))).toBe(false);
    expect(needsScheduling(pod('p', { spec: { schedulerName: 'gpu-scheduler' } }))).toBe(false);
  });
});
