// The node lifecycle loop (periodic, like Kubernetes' monitorNodeHealth): a node whose Lease in kube-node-lease
// is older than the grace period becomes Ready=Unknown with the `node.kubernetes.io/unreachable` taints; its
// pods are marked not ready, and those that do not tolerate the taint are evicted after the toleration period
// (a pod's own tolerationSeconds wins), so their controllers replace them elsewhere. When the Lease is renewed
// again the taints go and Ready comes back. Pods bound to a node that no longer exists, and terminating pods
// on an unreachable node past their grace period, are removed (Kubernetes' pod GC).
import type { Condition, Lease, Namespace, Node, Pod, Taint } from '@flotilla/resources';
import { TAINT_UNREACHABLE, toleratesTaint } from '@flotilla/scheduler';
import { StoreError, timestamp } from '@flotilla/store';
import { type NodeLifecycleState, type PlannedEvent, initialNodeLifecycleState, interruptObservation, planNodeLifecycle } from '@flotilla/controllers';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R, T } from '../kinds';
import { errorText } from '@flotilla/log';
import type { LoopControllerRegistration } from '../registration';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';

export class NodeLifecycle {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly events: EventRecorder;
  /** The plan's memory: how long we have observed, the disruption state, whose evictions have started. */
  private state: NodeLifecycleState = initialNodeLifecycleState(Date.now());

  constructor(
    private readonly ctx: ControllerContext,
    private readonly isLeader: () => boolean,
  ) {
    this.events = new EventRecorder(ctx.store, 'node-controller', ctx.log);
  }

  start(periodMs = 500): void {
    this.state = initialNodeLifecycleState(Date.now());
    this.timer = setInterval(() => void this.tick(), periodMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running || !this.isLeader()) return;
    this.running = true;
    try {
      await this.monitor(new Date());
    } catch (err) {
      // What we saw may be stale (the store or the database was away): judge nothing until we have seen fresh data again.
      this.state = interruptObservation(this.state, Date.now());
      this.ctx.log.warn('node lifecycle pass failed', { error: errorText(err) });
    } finally {
      this.running = false;
    }
  }

  private lastHeartbeat(node: Node): number | undefined {
    const name = node.metadata.name ?? '';
    const lease = this.ctx.store.cache.get(R.lease, NODE_LEASE_NAMESPACE, name)?.obj as Lease | undefined;
    const renew = lease?.spec.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
    if (!Number.isNaN(renew)) return renew;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const hb = ready?.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : NaN;
    if (!Number.isNaN(hb)) return hb;
    const created = node.metadata.creationTimestamp ? Date.parse(node.metadata.creationTimestamp) : NaN;
    return Number.isNaN(created) ? undefined : created;
  }

  async monitor(now: Date): Promise<void> {
    const { config } = this.ctx;
    const nodes = this.ctx.store.cache.list(R.node).map((e) => e.obj as Node);
    const known = new Set(nodes.map((n) => n.metadata.name ?? ''));
    const plan = planNodeLifecycle(
      nodes.map((n) => ({ name: n.metadata.name ?? '', lastHeartbeat: this.lastHeartbeat(n), taintedAt: taintedAt(n) })),
      this.state,
      now.getTime(),
      {
        graceMs: config.nodeGraceSeconds * 1000,
        disruptionThreshold: config.nodeDisruptionThreshold,
        largeClusterSize: config.nodeLargeClusterSize,
        evictionRate: config.nodeEvictionRate,
      },
    );
    this.state = plan.state;
    const unreachable = new Set(plan.unreachable);
    const reachable = new Set(plan.reachable);
    const evictSince = new Map(plan.evict.map((e) => [e.node, e.since]));
    if (plan.disruptionChanged) await this.reportDisruption(nodes, unreachable, plan.disruptionChanged.to);
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      const tainted = (node.spec.taints ?? []).some((t) => t.key === TAINT_UNREACHABLE);
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (unreachable.has(name)) {
        if (!tainted || ready?.status !== 'Unknown') await this.markUnreachable(node, now);
        const since = evictSince.get(name);
        if (since !== undefined) await this.evict(node, now, since);
      } else if (reachable.has(name)) {
        if (tainted || (ready?.status === 'Unknown' && ready.reason === STATUS_UNKNOWN_REASON)) await this.readmit(node, now);
      }
    }
    await this.collectOrphanPods(known, now);
  }

  /** Entering or leaving a disruption is said once: a warning line and an Event on each unreachable node. */
  private async reportDisruption(nodes: Node[], unreachable: Set<string>, to: string): Promise<void> {
    const message =
      to === 'None'
        ? 'Node disruption over: evictions resume'
        : `${to} disruption: ${unreachable.size} of ${nodes.length} nodes unreachable together; taken as a control-plane or network outage, no pods are evicted`;
    this.ctx.log.warn(message, { disruption: to, unreachable: unreachable.size, nodes: nodes.length });
    await this.events.record(
      nodes
        .filter((n) => to === 'None' || unreachable.has(n.metadata.name ?? ''))
        .map((n) => nodeEvent(n, to === 'None' ? 'NodeDisruptionOver' : 'NodeDisruption', message)),
    );
  }

  private async markUnreachable(node: Node, now: Date): Promise<void> {
    const name = node.metadata.name ?? '';
    const t = timestamp(now);
    try {
      await this.ctx.store.guaranteedUpdate(
        T.node,
        '',
        name,
        (cur) => {
          const n = cur as Node;
          const conditions = (n.status?.conditions ?? []).map((c): Condition =>
            c.status === 'Unknown'
              ? c
              : { ...c, status: 'Unknown', reason: STATUS_UNKNOWN_REASON, message: 'Kubelet stopped posting node status.', lastTransitionTime: t },
          );
          if (!conditions.some((c) => c.type === 'Ready'))
            conditions.push({
              type: 'Ready',
              status: 'Unknown',
              reason: STATUS_UNKNOWN_REASON,
              message: 'Kubelet never posted node status.',
              lastTransitionTime: t,
            });
          return { ...n, status: { ...n.status, conditions } };
        },
        { subresource: 'status' },
      );
      await this.ctx.store.guaranteedUpdate(T.node, '', name, (cur) => {
        const n = cur as Node;
        const taints = (n.spec.taints ?? []).filter((x) => x.key !== TAINT_UNREACHABLE);
        taints.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: t }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: t });
        return { ...n, spec: { ...n.spec, taints } };
      });
      this.ctx.log.info('node unreachable: lease expired', { node: name });
      await this.events.record([nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`)]);
    } catch (err) {
      if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
    }
    // Pods on it are no longer ready: endpoints stop sending them traffic before they are evicted.
    await this.markPodsNotReady(name, now);
  }

  private async markPodsNotReady(nodeName: string, now: Date): Promise<void> {
    const keys = this.ctx.index.podsOn(nodeName);
    const t = timestamp(now);
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      await this.ctx.store.transaction(async (tx) => {
        for (const k of chunk) {
          const [ns, name] = k.split('/');
          const pod = (await tx.read(T.pod, ns, name)) as Pod | undefined;
          if (!pod || pod.spec.nodeName !== nodeName) continue;
          const conditions = pod.status?.conditions ?? [];
          if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
          const next = conditions.map((c): Condition => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'NodeNotReady', lastTransitionTime: t } : c));
          await this.ctx.store.updateIn(tx, T.pod, { ...pod, status: { ...pod.status, conditions: next } }, ns, 'status');
        }
      });
    }
  }

  private async evict(node: Node, now: Date, since: number): Promise<void> {
    const nodeName = node.metadata.name ?? '';
    const taint =
      (node.spec.taints ?? []).find((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute') ??
      ({ key: TAINT_UNREACHABLE, effect: 'NoExecute' } as Taint);
    const events: PlannedEvent[] = [];
    for (const k of this.ctx.index.podsOn(nodeName)) {
      const [ns, name] = k.split('/');
      const pod = this.ctx.store.cache.get(R.pod, ns, name)?.obj as Pod | undefined;
      if (!pod || pod.spec.nodeName !== nodeName) continue;
      if (pod.metadata.deletionTimestamp) {
        // The node cannot finish the graceful deletion; once the grace period is over the pod is removed.
        if (Date.parse(pod.metadata.deletionTimestamp) <= now.getTime()) await this.forceDelete(pod);
        continue;
      }
      const waitMs = tolerationMs(pod, taint, this.ctx.config.podEvictionSeconds * 1000);
      if (waitMs === undefined || now.getTime() < since + waitMs) continue;
      try {
        await this.ctx.store.delete(T.pod, ns, name, { preconditions: { uid: pod.metadata.uid } });
        events.push({
          involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: ns, name, uid: pod.metadata.uid ?? '' },
          type: 'Normal',
          reason: 'TaintManagerEviction',
          message: `Marking for deletion Pod ${ns}/${name}`,
        });
      } catch (err) {
        if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
      }
    }
    await this.events.record(events);
  }

  private async readmit(node: Node, now: Date): Promise<void> {
    const name = node.metadata.name ?? '';
    const t = timestamp(now);
    try {
      await this.ctx.store.guaranteedUpdate(T.node, '', name, (cur) => {
        const n = cur as Node;
        const taints = (n.spec.taints ?? []).filter((x) => x.key !== TAINT_UNREACHABLE);
        return { ...n, spec: { ...n.spec, taints: taints.length ? taints : undefined } };
      });
      // We set Ready=Unknown because of the Lease; the Lease is back, so is Ready.
      await this.ctx.store.guaranteedUpdate(
        T.node,
        '',
        name,
        (cur) => {
          const n = cur as Node;
          const conditions = (n.status?.conditions ?? []).map((c): Condition => {
            if (c.reason !== STATUS_UNKNOWN_REASON) return c;
            return c.type === 'Ready'
              ? { ...c, status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: t, lastHeartbeatTime: t }
              : { ...c, status: 'False', reason: `KubeletHasNo${c.type}`, message: '', lastTransitionTime: t, lastHeartbeatTime: t };
          });
          return { ...n, status: { ...n.status, conditions } };
        },
        { subresource: 'status' },
      );
      this.ctx.log.info('node readmitted: lease renewed', { node: name });
      await this.events.record([nodeEvent(node, 'NodeReady', `Node ${name} status is now: NodeReady`)]);
    } catch (err) {
      if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
    }
  }

  /** Pods bound to nodes that do not exist are deleted outright (there is no agent left to do it). */
  private async collectOrphanPods(known: Set<string>, now: Date): Promise<void> {
    for (const e of this.ctx.store.cache.list(R.pod)) {
      const pod = e.obj as Pod;
      const node = pod.spec.nodeName;
      if (!node || known.has(node)) continue;
      // A node that is only briefly unknown (just registered elsewhere) gets the grace period.
      const created = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
      if (now.getTime() - created < this.ctx.config.nodeGraceSeconds * 1000) continue;
      await this.forceDelete(pod);
    }
  }

  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.ctx.store.delete(T.pod, pod.metadata.namespace ?? '', pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (!(err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
    }
  }
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

function taintedAt(node: Node): number | undefined {
  const taint = (node.spec.taints ?? []).find((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute');
  const t = taint?.timeAdded ? Date.parse(taint.timeAdded) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

function nodeEvent(node: Node, reason: string, message: string): PlannedEvent {
  return {
    involvedObject: { kind: 'Node', apiVersion: 'v1', namespace: '', name: node.metadata.name ?? '', uid: node.metadata.uid ?? '' },
    type: 'Normal',
    reason,
    message,
  };
}

/** The Leases live in their own namespace, which exists before any node (or simulated node) renews one. */
async function ensureLeaseNamespace(ctx: ControllerContext): Promise<void> {
  if (ctx.store.cache.get(R.namespace, '', NODE_LEASE_NAMESPACE)) return;
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } };
  try {
    await ctx.store.create(T.namespace, ns, '');
  } catch (err) {
    if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
  }
}

export const nodeLifecycleController: LoopControllerRegistration = {
  name: 'node-controller',
  owns: [R.node],
  prepare: ensureLeaseNamespace,
  start: (ctx, env) => {
    const lifecycle = new NodeLifecycle(ctx, env.isLeader);
    lifecycle.start();
    return lifecycle;
  },
};
