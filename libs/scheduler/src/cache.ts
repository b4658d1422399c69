// The scheduler's in-memory picture of the cluster: nodes, and what the pods bound or assumed on them use.
import type { Labels, Node, Pod, ResourceList, Taint } from '@flotilla/resources';
import { milliValue, wholeValue } from '@flotilla/resources';
import { controllerUid, podDemand, podHostPorts } from './requests';
import type { HostPort, PodDemand } from './requests';
import { effectiveTaints, untoleratedTaintReason } from './taints';
import { NODE_NAME_FIELD } from './node-affinity';

/** A read-only view of one node's accounting, for callers and tests. */
export interface NodeSnapshot {
  name: string;
  allocatable: { milliCpu: number; memory: number; pods: number };
  requested: { milliCpu: number; memory: number; pods: number };
  /** Pods per controller ownerReference uid. */
  controllers: ReadonlyMap<string, number>;
}

/** Per-node state the filters and scores read. Mutated only by SchedulerCache. */
export class NodeInfo {
  node: Node | undefined = undefined;
  labels: Labels = {};
  /** The fields matchFields may select on. */
  readonly fields: Labels;
  unschedulable = false;
  /** NoSchedule and NoExecute taints, each with its reason text prepared once. */
  hardTaints: Taint[] = [];
  hardTaintReasons: (readonly string[])[] = [];
  softTaints: Taint[] = [];

  allocMilliCpu = 0;
  allocMemory = 0;
  allocPods = 0;

  reqMilliCpu = 0;
  reqMemory = 0;
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;

  /** `${protocol}/${port}` → host IP → number of pods binding it. */
  readonly ports = new Map<string, Map<string, number>>();
  readonly controllers = new Map<string, number>();

  /** Position in SchedulerCache.nodes, -1 while the Node object itself is unknown. */
  index = -1;

  constructor(readonly name: string) {
    this.fields = { [NODE_NAME_FIELD]: name };
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.unschedulable = node.spec?.unschedulable === true;
    const taints = effectiveTaints(node);
    this.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.hardTaintReasons = this.hardTaints.map((t) => [untoleratedTaintReason(t)]);
    this.softTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
    const alloc = node.status?.allocatable;
    const cap = node.status?.capacity;
    this.allocMilliCpu = resource(alloc, cap, 'cpu', milliValue);
    this.allocMemory = resource(alloc, cap, 'memory', wholeValue);
    this.allocPods = resource(alloc, cap, 'pods', wholeValue);
  }

  snapshot(): NodeSnapshot {
    return {
      name: this.name,
      allocatable: { milliCpu: this.allocMilliCpu, memory: this.allocMemory, pods: this.allocPods },
      requested: { milliCpu: this.reqMilliCpu, memory: this.reqMemory, pods: this.podCount },
      controllers: new Map(this.controllers),
    };
  }
}

function resource(alloc: ResourceList | undefined, cap: ResourceList | undefined, name: string, parse: (q: string | number) => number): number {
  // Allocatable is what pods may use; a node that reports only capacity is taken at its word.
  const q = alloc?.[name] ?? cap?.[name];
  return q === undefined ? 0 : parse(q);
}

export function portKey(protocol: string, port: number): string {
  return `${protocol}/${port}`;
}

interface PodEntry {
  nodeName: string;
  demand: PodDemand;
  ports: HostPort[];
  controller: string | undefined;
  /** Placed by this scheduler, bind not yet confirmed by a pod update. */
  assumed: boolean;
}

function podKey(pod: Pod): string {
  const m = pod.metadata;
  if (m.uid) return m.uid;
  if (m.name) return `${m.namespace ?? ''}/${m.name}`;
  throw new Error('pod has neither metadata.uid nor metadata.name; the scheduler cache keys pods by uid');
}

/** A pod that no longer holds node resources. */
function isFinished(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp !== undefined;
}

export class SchedulerCache {
  /** Nodes the scheduler may place pods on, in a stable order for round-robin sampling. */
  readonly nodes: NodeInfo[] = [];
  /** Where the next schedule() starts looking (kube-scheduler's nextStartNodeIndex). */
  nextStartIndex = 0;

  private readonly infos = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodEntry>();

  get nodeCount(): number {
    return this.nodes.length;
  }

  get podCount(): number {
    return this.pods.size;
  }

  upsertNode(node: Node): void {
    const name = node.metadata.name;
    if (!name) throw new Error('node has no metadata.name');
    const info = this.info(name);
    info.setNode(node);
    if (info.index < 0) {
      info.index = this.nodes.length;
      this.nodes.push(info);
    }
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info || info.index < 0) return;
    // Swap-remove keeps removal O(1); the order only matters for sampling fairness.
    const last = this.nodes.pop()!;
    if (last !== info) {
      this.nodes[info.index] = last;
      last.index = info.index;
    }
    info.index = -1;
    info.node = undefined;
    // Pods still bound there keep their accounting until they are removed, in case the node returns.
    if (info.podCount === 0) this.infos.delete(name);
  }

  /**
   * Records a pod as the API sees it. A bound, running pod is accounted on its node; a finished or
   * deleting one frees what it held; an unbound one is ignored unless this scheduler assumed it.
   */
  upsertPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec.nodeName;
    if (isFinished(pod)) {
      this.removePod(key);
      return;
    }
    if (!nodeName) {
      // Not bound yet: an assumption stands until the bind shows up or is forgotten.
      const existing = this.pods.get(key);
      if (existing && !existing.assumed) this.removePod(key);
      return;
    }
    this.removePod(key);
    this.add(key, pod, nodeName, false);
  }

  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    this.pods.delete(uid);
    const info = this.infos.get(entry.nodeName);
    if (!info) return;
    const d = entry.demand;
    info.reqMilliCpu -= d.milliCpu;
    info.reqMemory -= d.memory;
    info.nonZeroMilliCpu -= d.nonZeroMilliCpu;
    info.nonZeroMemory -= d.nonZeroMemory;
    info.podCount -= 1;
    for (const p of entry.ports) {
      const k = portKey(p.protocol, p.port);
      const ips = info.ports.get(k);
      if (!ips) continue;
      const n = (ips.get(p.ip) ?? 0) - 1;
      if (n > 0) ips.set(p.ip, n);
      else ips.delete(p.ip);
      if (ips.size === 0) info.ports.delete(k);
    }
    if (entry.controller !== undefined) {
      const n = (info.controllers.get(entry.controller) ?? 0) - 1;
      if (n > 0) info.controllers.set(entry.controller, n);
      else info.controllers.delete(entry.controller);
    }
    if (info.index < 0 && info.podCount === 0) this.infos.delete(info.name);
  }

  /** Accounts a placement before its bind is written, so the next pod of a batch sees it. */
  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    const existing = this.pods.get(key);
    if (existing && !existing.assumed) {
      throw new Error(`pod ${key} is already bound to node ${existing.nodeName}; only unbound pods can be assumed`);
    }
    this.removePod(key);
    this.add(key, pod, nodeName, true);
  }

  /** Undoes assume() after a failed bind. A pod whose bind was already confirmed is left alone. */
  forget(uid: string): void {
    if (this.pods.get(uid)?.assumed) this.removePod(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  nodeInfo(name: string): NodeSnapshot | undefined {
    const info = this.infos.get(name);
    return info && info.index >= 0 ? info.snapshot() : undefined;
  }

  private info(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    return info;
  }

  private add(key: string, pod: Pod, nodeName: string, assumed: boolean): void {
    const entry: PodEntry = { nodeName, demand: podDemand(pod), ports: podHostPorts(pod), controller: controllerUid(pod), assumed };
    this.pods.set(key, entry);
    const info = this.info(nodeName);
    const d = entry.demand;
    info.reqMilliCpu += d.milliCpu;
    info.reqMemory += d.memory;
    info.nonZeroMilliCpu += d.nonZeroMilliCpu;
    info.nonZeroMemory += d.nonZeroMemory;
    info.podCount += 1;
    for (const p of entry.ports) {
      const k = portKey(p.protocol, p.port);
      let ips = info.ports.get(k);
      if (!ips) {
        ips = new Map();
        info.ports.set(k, ips);
      }
      ips.set(p.ip, (ips.get(p.ip) ?? 0) + 1);
    }
    if (entry.controller !== undefined) info.controllers.set(entry.controller, (info.controllers.get(entry.controller) ?? 0) + 1);
  }
}
