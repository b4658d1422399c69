// The node controller's plan over whole objects: nodes, their Leases and pods, against the clock.
import type { Lease, Node, Pod } from '@flotilla/resources';
import { T0, at, lease, node, pod } from './__fixtures__/builders';
import {
  type NodeAction,
  type NodeControllerOptions,
  initialNodeLifecycleState,
  notReadyConditions,
  planNodeController,
  readmittedConditions,
  readmittedTaints,
  unreachableConditions,
  unreachableTaints,
} from './node-lifecycle';

const opts: NodeControllerOptions = { graceMs: 8000, disruptionThreshold: 0.55, largeClusterSize: 50, evictionRate: 0.1, podEvictionMs: 5000 };
const now = T0.getTime();
/** A controller that has been watching for a minute. */
const watching = () => initialNodeLifecycleState(now - 60_000);

function snapshot(nodes: Node[], leases: Lease[], pods: Pod[] = []) {
  return { nodes, leases: new Map(leases.map((l) => [l.metadata.name ?? '', l])), pods };
}

const summary = (actions: NodeAction[]) =>
  actions.map((a) => {
    switch (a.type) {
      case 'reportDisruption':
        return `disruption ${a.to} (${a.events.map((e) => e.involvedObject.name).join(',')})`;
      case 'evictPods':
        return `evict ${a.node}: ${a.pods.map((p) => `${p.pod.metadata.name}${p.force ? ' (force)' : ''}`).join(', ')}`;
      case 'removeOrphanPod':
        return `remove ${a.pod.metadata.name}`;
      default:
        return `${a.type} ${a.node}`;
    }
  });

describe('planNodeController', () => {
  it('does nothing during the grace period after it starts, even when every Lease looks old', () => {
    const plan = planNodeController(
      snapshot([node('a'), node('b')], [lease('a', at(-60)), lease('b', at(-60))]),
      initialNodeLifecycleState(now - 3000),
      now,
      opts,
    );
    expect(plan.actions).toEqual([]);
  });

  it('a node whose Lease expired is marked unreachable; its pods go once the eviction delay has passed since the taint', () => {
    const nodes = [node('up'), node('down')];
    const leases = [lease('up', at(-1)), lease('down', at(-30))];
    const pods = [pod('web-1', { ready: true, nodeName: 'down' }), pod('web-2', { ready: true, nodeName: 'up' })];
    const first = planNodeController(snapshot(nodes, leases, pods), watching(), now, opts);
    expect(summary(first.actions)).toEqual(['markUnreachable down']);
    expect(first.actions[0]).toMatchObject({ event: { reason: 'NodeNotReady', message: 'Node down status is now: NodeNotReady' } });

    // The taint was written at T0; 5 s later the pod that does not tolerate it is evicted (and only that one).
    const tainted = [node('up'), node('down', { unreachableSince: T0, ready: 'Unknown', readyReason: 'NodeStatusUnknown' })];
    const early = planNodeController(snapshot(tainted, leases, pods), first.state, now + 4000, opts);
    expect(summary(early.actions)).toEqual([]);
    const due = planNodeController(snapshot(tainted, leases, pods), first.state, now + 5000, opts);
    expect(summary(due.actions)).toEqual(['evict down: web-1']);
    expect(due.actions[0]).toMatchObject({ pods: [{ event: { reason: 'TaintManagerEviction', message: 'Marking for deletion Pod default/web-1' } }] });
  });

  it('a pod’s own toleration of the unreachable taint decides how long it stays; a terminating pod past its grace is removed', () => {
    const tainted = [node('up'), node('down', { unreachableSince: T0, ready: 'Unknown', readyReason: 'NodeStatusUnknown' })];
    const leases = [lease('up', at(10)), lease('down', at(-30))];
    const patient = pod('patient', { ready: true, nodeName: 'down' });
    patient.spec.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }];
    const forever = pod('forever', { ready: true, nodeName: 'down' });
    forever.spec.tolerations = [{ operator: 'Exists' }];
    const stuck = pod('stuck', { ready: true, nodeName: 'down', deleting: true });
    const pods = [patient, forever, stuck];
    const state = watching();
    expect(summary(planNodeController(snapshot(tainted, leases, pods), state, now + 10_000, opts).actions)).toEqual(['evict down: stuck (force)']);
    const later = [lease('up', at(29)), lease('down', at(-30))];
    expect(summary(planNodeController(snapshot(tainted, later, pods), state, now + 30_000, opts).actions)).toEqual(['evict down: patient, stuck (force)']);
  });

  it('every node unreachable at once is a full disruption: reported once, nodes marked, nothing evicted', () => {
    const nodes = [node('a'), node('b')];
    const leases = [lease('a', at(-30)), lease('b', at(-30))];
    const pods = [pod('p', { ready: true, nodeName: 'a' })];
    const plan = planNodeController(snapshot(nodes, leases, pods), watching(), now, opts);
    expect(summary(plan.actions)).toEqual(['disruption Full (a,b)', 'markUnreachable a', 'markUnreachable b']);
    const tainted = [node('a', { unreachableSince: T0, ready: 'Unknown' }), node('b', { unreachableSince: T0, ready: 'Unknown' })];
    expect(summary(planNodeController(snapshot(tainted, leases, pods), plan.state, now + 60_000, opts).actions)).toEqual([]);
  });

  it('a node whose Lease is renewed again is readmitted, and the end of the disruption is reported on every node', () => {
    const tainted = [
      node('a', { unreachableSince: T0, ready: 'Unknown', readyReason: 'NodeStatusUnknown' }),
      node('b', { unreachableSince: T0, ready: 'Unknown' }),
    ];
    const full = planNodeController(snapshot(tainted, [lease('a', at(-30)), lease('b', at(-30))]), watching(), now, opts).state;
    const back = planNodeController(snapshot(tainted, [lease('a', at(1)), lease('b', at(1))]), full, now + 2000, opts);
    expect(summary(back.actions)).toEqual(['disruption None (a,b)', 'readmit a', 'readmit b']);
  });

  it('pods bound to a node that does not exist are removed once older than the grace period', () => {
    const old = pod('old', { ready: true, nodeName: 'vanished', created: at(-60) });
    const fresh = pod('fresh', { ready: true, nodeName: 'vanished', created: at(-2) });
    const plan = planNodeController(snapshot([node('a')], [lease('a', at(0))], [old, fresh]), watching(), now, opts);
    expect(summary(plan.actions)).toEqual(['remove old']);
  });

  it('the node, taint and pod changes: Unknown with the taint pair, then back to Ready without it', () => {
    const n = node('a', { ready: 'True' });
    n.spec.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    const down = { ...n, spec: { ...n.spec, taints: unreachableTaints(n, at(0)) }, status: { conditions: unreachableConditions(n, at(0)) } };
    expect(down.status.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: '2024-05-01T12:00:00Z' }),
    ]);
    expect(down.spec.taints.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'dedicated:NoSchedule',
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    expect(unreachableConditions({ ...n, status: {} }, at(0))).toEqual([
      expect.objectContaining({ type: 'Ready', message: 'Kubelet never posted node status.' }),
    ]);
    expect(readmittedTaints(down)).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(readmittedConditions(down, at(5))).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'KubeletReady' })]);
    expect(notReadyConditions(pod('p', { ready: true }), at(0))).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'NodeNotReady' })]);
    expect(notReadyConditions(pod('q', { ready: false }), at(0))).toBeUndefined();
  });
});
