// The node lifecycle decision (Kubernetes' monitorNodeHealth with its zone states), pure: which nodes are judged
// unreachable, and which of them may have their pods evicted now. Three guards keep a control-plane outage from
// evicting healthy workloads: a node is only judged after a full grace period of fresh observation (the
// controller's own start or outage looks like every Lease expiring); when all nodes, or more than a share of a
// large cluster, go unreachable together it is a disruption of the control plane or network and nothing is
// evicted; and evictions start at a limited rate of nodes per second.

export interface NodeObservation {
  name: string;
  /** Last Lease renewal (or heartbeat), ms since epoch; undefined when never seen. */
  lastHeartbeat: number | undefined;
  /** When the node was tainted unreachable (the NoExecute taint's timeAdded), ms; undefined when not tainted. */
  taintedAt: number | undefined;
}

export interface NodeLifecycleOptions {
  graceMs: number;
  /** Share of unreachable nodes (with more than 2 unreachable) that counts as a partial disruption. */
  disruptionThreshold: number;
  /** Up to this many nodes a cluster is small: a partial disruption stops evictions instead of slowing them. */
  largeClusterSize: number;
  /** Nodes per second whose evictions may start. */
  evictionRate: number;
}

export interface NodeLifecycleState {
  /** Since when the controller has been observing without interruption. */
  observingSince: number;
  disruption: Disruption;
  /** Eviction timers count from no earlier than this (the end of the last disruption or of the start-up grace). */
  clockFloor: number;
  /** Nodes whose evictions have started, with when. */
  evicting: Record<string, number>;
  lastAdmission: number | undefined;
}

export type Disruption = 'None' | 'Partial' | 'Full';

export interface NodeLifecyclePlan {
  state: NodeLifecycleState;
  /** False during the grace period after start or after an interruption: no node is marked unreachable. */
  judging: boolean;
  unreachable: string[];
  reachable: string[];
  /** Nodes whose pods may be evicted now, each with when its eviction timer started. */
  evict: Array<{ node: string; since: number }>;
  /** Set when the disruption state changed in this pass, for the Event and the log line. */
  disruptionChanged?: { from: Disruption; to: Disruption };
}

export function initialNodeLifecycleState(now: number): NodeLifecycleState {
  return { observingSince: now, disruption: 'None', clockFloor: now, evicting: {}, lastAdmission: undefined };
}

/** The controller lost its view (store, watch or database): the next judgement waits a full grace period again. */
export function interruptObservation(state: NodeLifecycleState, now: number): NodeLifecycleState {
  return { ...state, observingSince: now, evicting: {}, lastAdmission: undefined };
}

export function disruptionOf(total: number, unreachable: number, opts: NodeLifecycleOptions): Disruption {
  if (total > 0 && unreachable === total) return 'Full';
  if (unreachable > 2 && unreachable / total >= opts.disruptionThreshold) return 'Partial';
  return 'None';
}

export function planNodeLifecycle(nodes: NodeObservation[], prev: NodeLifecycleState, now: number, opts: NodeLifecycleOptions): NodeLifecyclePlan {
  const judgeFrom = prev.observingSince + opts.graceMs;
  const judging = now >= judgeFrom;
  const stale = (n: NodeObservation) => n.lastHeartbeat === undefined || now - n.lastHeartbeat > opts.graceMs;
  const unreachable = judging ? nodes.filter(stale).map((n) => n.name) : [];
  const reachable = nodes.filter((n) => !stale(n)).map((n) => n.name);
  const disruption = judging ? disruptionOf(nodes.length, unreachable.length, opts) : prev.disruption;
  let clockFloor = Math.max(prev.clockFloor, judgeFrom);
  // Leaving a disruption restarts every timer: nodes that are still away get their full toleration from now.
  if (prev.disruption !== 'None' && disruption === 'None') clockFloor = now;
  const state: NodeLifecycleState = { ...prev, disruption, clockFloor, evicting: {} };
  const evict: NodeLifecyclePlan['evict'] = [];
  const rate = disruption === 'None' ? opts.evictionRate : disruption === 'Partial' && nodes.length > opts.largeClusterSize ? opts.evictionRate / 10 : 0;
  if (judging && rate > 0) {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const name of unreachable) {
      const since = Math.max(byName.get(name)?.taintedAt ?? now, clockFloor);
      const started = prev.evicting[name];
      if (started !== undefined) {
        state.evicting[name] = started;
        evict.push({ node: name, since });
        continue;
      }
      if (state.lastAdmission !== undefined && now - state.lastAdmission < 1000 / rate) continue;
      state.evicting[name] = now;
      state.lastAdmission = now;
      evict.push({ node: name, since });
    }
  }
  const plan: NodeLifecyclePlan = { state, judging, unreachable, reachable, evict };
  if (disruption !== prev.disruption) plan.disruptionChanged = { from: prev.disruption, to: disruption };
  return plan;
}
