// The node lifecycle decision (Kubernetes' monitorNodeHealth with its zone states), pure: which nodes are judged
// unreachable, and which of them may have their pods evicted now. Three guards keep a control-plane outage from
// evicting healthy workloads: a node is only judged after a full grace period of fresh observation (the
// controller's own start or outage looks like every Lease expiring); when all nodes, or more than a share of a
// large cluster, go unreachable together it is a disruption of the control plane or network and nothing is
// evicted; and evictions start at a limited rate of nodes per second.
import type { Condition, Lease, Node, Pod, Taint } from '@flotilla/resources';
import { TAINT_UNREACHABLE, toleratesTaint } from '@flotilla/scheduler';
import { formatTime, parseTime } from './actions';
import type { PlannedEvent } from './actions';

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

// What the node controller does with the judgement above, pure: given the nodes, their Leases and the pods,
// which node is marked unreachable or readmitted, which pods are evicted or removed, in the order the worker
// applies them.

/** The reason on conditions the controller set Unknown itself (and may set back). */
const STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';

export interface NodeLifecycleSnapshot {
  nodes: Node[];
  /** The nodes' Leases (kube-node-lease), by node name. */
  leases: ReadonlyMap<string, Lease>;
  pods: Pod[];
}

export interface NodeControllerOptions extends NodeLifecycleOptions {
  /** How long a pod that does not tolerate the unreachable taint stays on an unreachable node. */
  podEvictionMs: number;
}

export interface PodEviction {
  pod: Pod;
  /** Terminating past its grace period on a node that cannot finish it: removed outright. */
  force: boolean;
  /** Recorded once the eviction succeeded. */
  event?: PlannedEvent;
}

export type NodeAction =
  /** Entering or leaving a disruption is said once: a warning line and an Event on the nodes concerned. */
  | { type: 'reportDisruption'; to: Disruption; message: string; unreachable: number; nodes: number; events: PlannedEvent[] }
  /** Ready=Unknown, the unreachable taints, its pods not ready. */
  | { type: 'markUnreachable'; node: string; event: PlannedEvent }
  /** Taints gone, Ready back: the Lease is renewed again. */
  | { type: 'readmit'; node: string; event: PlannedEvent }
  | { type: 'evictPods'; node: string; pods: PodEviction[] }
  /** A pod bound to a node that does not exist (there is no agent left to remove it). */
  | { type: 'removeOrphanPod'; pod: Pod };

export interface NodeControllerPlan {
  state: NodeLifecycleState;
  actions: NodeAction[];
}

/** The last sign of life: the Lease's renewTime, else the Ready heartbeat, else when the node was created. */
export function lastHeartbeat(node: Node, lease: Lease | undefined): number | undefined {
  const renew = parseTime(lease?.spec.renewTime);
  if (renew !== undefined) return renew;
  const hb = parseTime(node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime);
  if (hb !== undefined) return hb;
  return parseTime(node.metadata.creationTimestamp);
}

function unreachableTaint(node: Node): Taint | undefined {
  return (node.spec.taints ?? []).find((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute');
}

/**
 * How long a pod stays on a node with this NoExecute taint: undefined = forever (tolerated without a limit),
 * otherwise its tolerationSeconds, or the default eviction delay when it does not tolerate the taint.
 */
export function tolerationMs(pod: Pod, taint: Taint, defaultMs: number): number | undefined {
  const matching = (pod.spec.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
  if (matching.length === 0) return defaultMs;
  const limits = matching.map((t) => t.tolerationSeconds);
  if (limits.some((s) => s === undefined || s === null)) return undefined;
  return Math.max(0, Math.min(...(limits as number[]))) * 1000;
}

function nodeEvent(node: Node, reason: string, message: string): PlannedEvent {
  return {
    involvedObject: { kind: 'Node', apiVersion: 'v1', namespace: '', name: node.metadata.name ?? '', uid: node.metadata.uid ?? '' },
    type: 'Normal',
    reason,
    message,
  };
}

export function planNodeController(snapshot: NodeLifecycleSnapshot, prev: NodeLifecycleState, now: number, opts: NodeControllerOptions): NodeControllerPlan {
  const { nodes } = snapshot;
  const judged = planNodeLifecycle(
    nodes.map((n) => {
      const name = n.metadata.name ?? '';
      return { name, lastHeartbeat: lastHeartbeat(n, snapshot.leases.get(name)), taintedAt: parseTime(unreachableTaint(n)?.timeAdded) };
    }),
    prev,
    now,
    opts,
  );
  const actions: NodeAction[] = [];
  const unreachable = new Set(judged.unreachable);
  const reachable = new Set(judged.reachable);
  const evictSince = new Map(judged.evict.map((e) => [e.node, e.since]));

  const to = judged.disruptionChanged?.to;
  if (to) {
    const message =
      to === 'None'
        ? 'Node disruption over: evictions resume'
        : `${to} disruption: ${unreachable.size} of ${nodes.length} nodes unreachable together; taken as a control-plane or network outage, no pods are evicted`;
    const concerned = nodes.filter((n) => to === 'None' || unreachable.has(n.metadata.name ?? ''));
    actions.push({
      type: 'reportDisruption',
      to,
      message,
      unreachable: unreachable.size,
      nodes: nodes.length,
      events: concerned.map((n) => nodeEvent(n, to === 'None' ? 'NodeDisruptionOver' : 'NodeDisruption', message)),
    });
  }

  const podsOn = new Map<string, Pod[]>();
  for (const p of snapshot.pods) {
    const node = p.spec.nodeName;
    if (!node) continue;
    let list = podsOn.get(node);
    if (!list) podsOn.set(node, (list = []));
    list.push(p);
  }

  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const tainted = (node.spec.taints ?? []).some((t) => t.key === TAINT_UNREACHABLE);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (unreachable.has(name)) {
      if (!tainted || ready?.status !== 'Unknown') {
        actions.push({ type: 'markUnreachable', node: name, event: nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`) });
      }
      const since = evictSince.get(name);
      if (since !== undefined) {
        const pods = evictions(node, podsOn.get(name) ?? [], since, now, opts.podEvictionMs);
        if (pods.length) actions.push({ type: 'evictPods', node: name, pods });
      }
    } else if (reachable.has(name)) {
      if (tainted || (ready?.status === 'Unknown' && ready.reason === STATUS_UNKNOWN_REASON)) {
        actions.push({ type: 'readmit', node: name, event: nodeEvent(node, 'NodeReady', `Node ${name} status is now: NodeReady`) });
      }
    }
  }

  // Pods bound to nodes that do not exist; a node only briefly unknown (just registered elsewhere) gets the grace period.
  const known = new Set(nodes.map((n) => n.metadata.name ?? ''));
  for (const pod of snapshot.pods) {
    const node = pod.spec.nodeName;
    if (!node || known.has(node)) continue;
    if (now - (parseTime(pod.metadata.creationTimestamp) ?? 0) < opts.graceMs) continue;
    actions.push({ type: 'removeOrphanPod', pod });
  }
  return { state: judged.state, actions };
}

function evictions(node: Node, pods: Pod[], since: number, now: number, defaultMs: number): PodEviction[] {
  const taint = unreachableTaint(node) ?? { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
  const out: PodEviction[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) {
      // The node cannot finish the graceful deletion; once the grace period is over the pod is removed.
      if ((parseTime(pod.metadata.deletionTimestamp) ?? Infinity) <= now) out.push({ pod, force: true });
      continue;
    }
    const waitMs = tolerationMs(pod, taint, defaultMs);
    if (waitMs === undefined || now < since + waitMs) continue;
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    out.push({
      pod,
      force: false,
      event: {
        involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: ns, name, uid: pod.metadata.uid ?? '' },
        type: 'Normal',
        reason: 'TaintManagerEviction',
        message: `Marking for deletion Pod ${ns}/${name}`,
      },
    });
  }
  return out;
}

/** The node's conditions once it is judged unreachable: every one Unknown, Ready among them. */
export function unreachableConditions(node: Node, now: Date): Condition[] {
  const t = formatTime(now);
  const conditions = (node.status?.conditions ?? []).map((c): Condition =>
    c.status === 'Unknown'
      ? c
      : { ...c, status: 'Unknown', reason: STATUS_UNKNOWN_REASON, message: 'Kubelet stopped posting node status.', lastTransitionTime: t },
  );
  if (!conditions.some((c) => c.type === 'Ready')) {
    conditions.push({ type: 'Ready', status: 'Unknown', reason: STATUS_UNKNOWN_REASON, message: 'Kubelet never posted node status.', lastTransitionTime: t });
  }
  return conditions;
}

/** The node's taints with the unreachable pair (NoSchedule, NoExecute) added now. */
export function unreachableTaints(node: Node, now: Date): Taint[] {
  const t = formatTime(now);
  const taints = (node.spec.taints ?? []).filter((x) => x.key !== TAINT_UNREACHABLE);
  taints.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: t }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: t });
  return taints;
}

/** The node's taints without the unreachable ones (undefined when none is left). */
export function readmittedTaints(node: Node): Taint[] | undefined {
  const taints = (node.spec.taints ?? []).filter((x) => x.key !== TAINT_UNREACHABLE);
  return taints.length ? taints : undefined;
}

/** We set Ready=Unknown because of the Lease; the Lease is back, so is Ready (and the pressures are off). */
export function readmittedConditions(node: Node, now: Date): Condition[] {
  const t = formatTime(now);
  return (node.status?.conditions ?? []).map((c): Condition => {
    if (c.reason !== STATUS_UNKNOWN_REASON) return c;
    return c.type === 'Ready'
      ? { ...c, status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: t, lastHeartbeatTime: t }
      : { ...c, status: 'False', reason: `KubeletHasNo${c.type}`, message: '', lastTransitionTime: t, lastHeartbeatTime: t };
  });
}

/** A pod on an unreachable node is no longer ready (endpoints stop sending it traffic); undefined when it was not. */
export function notReadyConditions(pod: Pod, now: Date): Condition[] | undefined {
  const conditions = pod.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return undefined;
  const t = formatTime(now);
  return conditions.map((c): Condition => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'NodeNotReady', lastTransitionTime: t } : c));
}
