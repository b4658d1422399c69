import {
  type NodeLifecycleOptions,
  type NodeLifecycleState,
  type NodeObservation,
  initialNodeLifecycleState,
  interruptObservation,
  planNodeLifecycle,
} from './node-lifecycle';

const opts: NodeLifecycleOptions = { graceMs: 8000, disruptionThreshold: 0.55, largeClusterSize: 50, evictionRate: 0.1 };
const T0 = 1_000_000;

function nodes(fresh: number, stale: number, now: number): NodeObservation[] {
  const out: NodeObservation[] = [];
  for (let i = 0; i < fresh; i++) out.push({ name: `up-${i}`, lastHeartbeat: now - 1000, taintedAt: undefined });
  for (let i = 0; i < stale; i++) out.push({ name: `down-${i}`, lastHeartbeat: now - 20_000, taintedAt: now - 10_000 });
  return out;
}

/** A controller that has been observing for a long time. */
const settled = (): NodeLifecycleState => ({ ...initialNodeLifecycleState(T0 - 60_000) });

describe('planNodeLifecycle', () => {
  it('judges no node during the grace period after the controller starts, even if every Lease looks old', () => {
    const plan = planNodeLifecycle(nodes(0, 3, T0 + 5000), initialNodeLifecycleState(T0), T0 + 5000, opts);
    expect(plan.judging).toBe(false);
    expect(plan.unreachable).toEqual([]);
    expect(plan.evict).toEqual([]);
  });

  it('judges after a full grace period of observation, and counts eviction timers from then', () => {
    const now = T0 + 8000;
    const plan = planNodeLifecycle(nodes(1, 1, now), initialNodeLifecycleState(T0), now, opts);
    expect(plan.judging).toBe(true);
    expect(plan.unreachable).toEqual(['down-0']);
    expect(plan.evict).toEqual([{ node: 'down-0', since: now }]);
  });

  it('waits a grace period again after its own view was interrupted', () => {
    const state = interruptObservation(settled(), T0);
    expect(planNodeLifecycle(nodes(1, 1, T0 + 3000), state, T0 + 3000, opts).unreachable).toEqual([]);
    expect(planNodeLifecycle(nodes(1, 1, T0 + 9000), state, T0 + 9000, opts).unreachable).toEqual(['down-0']);
  });

  it('one of two nodes down is not a disruption: it is evicted at once (failover)', () => {
    const plan = planNodeLifecycle(nodes(1, 1, T0), settled(), T0, opts);
    expect(plan.state.disruption).toBe('None');
    expect(plan.evict.map((e) => e.node)).toEqual(['down-0']);
  });

  it('all nodes unreachable together is a full disruption: marked unreachable, nothing evicted, the change reported', () => {
    const plan = planNodeLifecycle(nodes(0, 2, T0), settled(), T0, opts);
    expect(plan.unreachable).toEqual(['down-0', 'down-1']);
    expect(plan.state.disruption).toBe('Full');
    expect(plan.evict).toEqual([]);
    expect(plan.disruptionChanged).toEqual({ from: 'None', to: 'Full' });
  });

  it('a single-node cluster whose node goes away is a full disruption (the API outage case)', () => {
    const plan = planNodeLifecycle(nodes(0, 1, T0), settled(), T0, opts);
    expect(plan.state.disruption).toBe('Full');
    expect(plan.evict).toEqual([]);
  });

  it('leaving a disruption restarts eviction timers for the nodes still away', () => {
    const full = planNodeLifecycle(nodes(0, 3, T0), settled(), T0, opts).state;
    const after = planNodeLifecycle(nodes(2, 1, T0 + 1000), full, T0 + 1000, opts);
    expect(after.state.disruption).toBe('None');
    expect(after.disruptionChanged).toEqual({ from: 'Full', to: 'None' });
    expect(after.evict).toEqual([{ node: 'down-0', since: T0 + 1000 }]);
  });

  it('a partial disruption of a small cluster stops evictions', () => {
    const plan = planNodeLifecycle(nodes(4, 6, T0), settled(), T0, opts);
    expect(plan.state.disruption).toBe('Partial');
    expect(plan.evict).toEqual([]);
  });

  it('a partial disruption of a large cluster evicts at a tenth of the rate', () => {
    const first = planNodeLifecycle(nodes(40, 60, T0), settled(), T0, opts);
    expect(first.state.disruption).toBe('Partial');
    expect(first.evict).toHaveLength(1);
    expect(planNodeLifecycle(nodes(40, 60, T0 + 10_000), first.state, T0 + 10_000, opts).evict).toHaveLength(1);
    expect(planNodeLifecycle(nodes(40, 60, T0 + 100_000), first.state, T0 + 100_000, opts).evict).toHaveLength(2);
  });

  it('below the threshold, evictions start at the configured rate of nodes per second', () => {
    let state = settled();
    const started: number[] = [];
    for (let t = T0; t <= T0 + 20_000; t += 500) {
      const plan = planNodeLifecycle(nodes(8, 3, t), state, t, opts);
      state = plan.state;
      started.push(plan.evict.length);
    }
    // One node at once, the second 10 s later, the third 10 s after that.
    expect(started[0]).toBe(1);
    expect(started[19]).toBe(1);
    expect(started[20]).toBe(2);
    expect(started[40]).toBe(3);
  });

  it('a node that came back leaves the eviction set', () => {
    const s = planNodeLifecycle(nodes(1, 1, T0), settled(), T0, opts).state;
    const back = planNodeLifecycle(nodes(2, 0, T0 + 1000), s, T0 + 1000, opts);
    expect(back.reachable).toEqual(['up-0', 'up-1']);
    expect(back.state.evicting).toEqual({});
  });
});
