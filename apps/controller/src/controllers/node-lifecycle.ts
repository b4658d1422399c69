// The node lifecycle loop's I/O (periodic, like Kubernetes' monitorNodeHealth): planNodeController
// (@flotilla/controllers) decides from the nodes, their Leases in kube-node-lease and the pods which node becomes
// Ready=Unknown with the `node.kubernetes.io/unreachable` taints (its pods marked not ready), which pods are
// evicted after their toleration, which node is readmitted when its Lease is renewed, and which pods of vanished
// nodes are removed; this loop reads the cache for it on a timer, while leader, and writes what it says.
import type { Lease, Namespace, Node, Pod } from '@flotilla/resources';
import { StoreError } from '@flotilla/store';
import {
  type NodeAction,
  type NodeLifecycleState,
  type PlannedEvent,
  initialNodeLifecycleState,
  interruptObservation,
  notReadyConditions,
  planNodeController,
  readmittedConditions,
  readmittedTaints,
  unreachableConditions,
  unreachableTaints,
} from '@flotilla/controllers';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R, T } from '../kinds';
import { errorText } from '@flotilla/log';
import type { LoopControllerRegistration } from '../registration';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const ignorable = (err: unknown) => err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound');

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

  async monitor(now: Date): Promise<void> {
    const { config, store } = this.ctx;
    const leases = new Map(store.cache.list(R.lease, NODE_LEASE_NAMESPACE).map((e) => [e.name, e.obj as Lease]));
    const plan = planNodeController(
      { nodes: store.cache.list(R.node).map((e) => e.obj as Node), leases, pods: store.cache.list(R.pod).map((e) => e.obj as Pod) },
      this.state,
      now.getTime(),
      {
        graceMs: config.nodeGraceSeconds * 1000,
        disruptionThreshold: config.nodeDisruptionThreshold,
        largeClusterSize: config.nodeLargeClusterSize,
        evictionRate: config.nodeEvictionRate,
        podEvictionMs: config.podEvictionSeconds * 1000,
      },
    );
    this.state = plan.state;
    for (const a of plan.actions) await this.apply(a, now);
  }

  private async apply(a: NodeAction, now: Date): Promise<void> {
    switch (a.type) {
      case 'reportDisruption':
        this.ctx.log.warn(a.message, { disruption: a.to, unreachable: a.unreachable, nodes: a.nodes });
        return this.events.record(a.events);
      case 'markUnreachable':
        return this.markUnreachable(a.node, a.event, now);
      case 'readmit':
        return this.readmit(a.node, a.event, now);
      case 'evictPods': {
        const events: PlannedEvent[] = [];
        for (const e of a.pods) {
          if (e.force) await this.forceDelete(e.pod);
          else if (await this.evict(e.pod)) events.push(...(e.event ? [e.event] : []));
        }
        return this.events.record(events);
      }
      case 'removeOrphanPod':
        return this.forceDelete(a.pod);
    }
  }

  private async markUnreachable(name: string, event: PlannedEvent, now: Date): Promise<void> {
    // Ready=Unknown before the taints, and the reverse on readmit: a node is never tainted unreachable while Ready.
    await this.changeNode(name, event, 'node unreachable: lease expired', [
      () => this.writeNode(name, 'status', (n) => ({ conditions: unreachableConditions(n, now) })),
      () => this.writeNode(name, 'spec', (n) => ({ taints: unreachableTaints(n, now) })),
    ]);
    // Pods on it are no longer ready: endpoints stop sending them traffic before they are evicted.
    await this.markPodsNotReady(name, now);
  }

  /** Writes a node's changes in order, then logs and records the event; a node gone or changed meanwhile is not an error. */
  private async changeNode(name: string, event: PlannedEvent, message: string, writes: (() => Promise<unknown>)[]): Promise<void> {
    try {
      for (const write of writes) await write();
      this.ctx.log.info(message, { node: name });
      await this.events.record([event]);
    } catch (err) {
      if (!ignorable(err)) throw err;
    }
  }

  /** Merges `change(node)` into the node's spec or status (the status through its subresource). */
  private writeNode<P extends 'spec' | 'status'>(name: string, part: P, change: (n: Node) => Partial<Node[P]>): Promise<unknown> {
    return this.ctx.store.guaranteedUpdate(
      T.node,
      '',
      name,
      (cur) => {
        const n = cur as Node;
        return { ...n, [part]: { ...n[part], ...change(n) } };
      },
      part === 'status' ? { subresource: 'status' } : undefined,
    );
  }

  private async markPodsNotReady(nodeName: string, now: Date): Promise<void> {
    const keys = this.ctx.index.podsOn(nodeName);
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      await this.ctx.store.transaction(async (tx) => {
        for (const k of chunk) {
          const [ns, name] = k.split('/');
          const pod = (await tx.read(T.pod, ns, name)) as Pod | undefined;
          if (!pod || pod.spec.nodeName !== nodeName) continue;
          const next = notReadyConditions(pod, now);
          if (!next) continue;
          await this.ctx.store.updateIn(tx, T.pod, { ...pod, status: { ...pod.status, conditions: next } }, ns, 'status');
        }
      });
    }
  }

  /** Deletes the pod (graceful); false when someone else got there first. */
  private async evict(pod: Pod): Promise<boolean> {
    try {
      await this.ctx.store.delete(T.pod, pod.metadata.namespace ?? '', pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
      return true;
    } catch (err) {
      if (!ignorable(err)) throw err;
      return false;
    }
  }

  private async readmit(name: string, event: PlannedEvent, now: Date): Promise<void> {
    // The taints go before Ready returns (see markUnreachable).
    await this.changeNode(name, event, 'node readmitted: lease renewed', [
      () => this.writeNode(name, 'spec', (n) => ({ taints: readmittedTaints(n) })),
      () => this.writeNode(name, 'status', (n) => ({ conditions: readmittedConditions(n, now) })),
    ]);
  }

  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.ctx.store.delete(T.pod, pod.metadata.namespace ?? '', pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (!ignorable(err)) throw err;
    }
  }
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
