// Filters: may this pod run on this node? Each answers null (yes) or kube-scheduler's reason text.
import type { Pod, Toleration } from '@flotilla/resources';
import type { NodeInfo } from './cache';
import { portKey } from './cache';
import { compileNodeAffinity, compilePreferredTerms, nodeAffinityMatches } from './node-affinity';
import type { NodeAffinityRequirement, PreferredTerm } from './node-affinity';
import { ANY_IP, controllerUid, podDemand, podHostPorts } from './requests';
import type { HostPort, PodDemand } from './requests';
import { TAINT_UNSCHEDULABLE, tolerates } from './taints';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_HOST_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';

/** A pod prepared once per scheduling attempt, so the per-node loop only compares numbers and maps. */
export interface SchedulingPod {
  pod: Pod;
  demand: PodDemand;
  ports: (HostPort & { key: string })[];
  tolerations: Toleration[];
  toleratesUnschedulable: boolean;
  affinity: NodeAffinityRequirement;
  hasAffinity: boolean;
  preferred: PreferredTerm[];
  controller: string | undefined;
}

export function prepare(pod: Pod): SchedulingPod {
  const tolerations = pod.spec.tolerations ?? [];
  const affinity = compileNodeAffinity(pod);
  return {
    pod,
    demand: podDemand(pod),
    ports: podHostPorts(pod).map((p) => ({ ...p, key: portKey(p.protocol, p.port) })),
    tolerations,
    toleratesUnschedulable: tolerates(tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }),
    affinity,
    hasAffinity: affinity.nodeSelector !== null || affinity.requiredTerms !== null,
    preferred: compilePreferredTerms(pod),
    controller: controllerUid(pod),
  };
}

/** Reasons are returned as shared constant arrays so a rejection allocates nothing. */
export type FilterResult = readonly string[] | null;
export type Filter = (pod: SchedulingPod, node: NodeInfo) => FilterResult;

const UNSCHEDULABLE: readonly string[] = [REASON_UNSCHEDULABLE];
const NODE_AFFINITY: readonly string[] = [REASON_NODE_AFFINITY];
const HOST_PORTS: readonly string[] = [REASON_HOST_PORTS];

/** A cordoned node (spec.unschedulable) takes only pods that tolerate the unschedulable taint. */
export function nodeUnschedulable(pod: SchedulingPod, node: NodeInfo): FilterResult {
  return node.unschedulable && !pod.toleratesUnschedulable ? UNSCHEDULABLE : null;
}

/** The first NoSchedule/NoExecute taint, including the not-ready/unreachable ones, the pod does not tolerate. */
export function taintToleration(pod: SchedulingPod, node: NodeInfo): FilterResult {
  const taints = node.hardTaints;
  for (let i = 0; i < taints.length; i++) {
    if (!tolerates(pod.tolerations, taints[i])) return node.hardTaintReasons[i];
  }
  return null;
}

export function nodeAffinity(pod: SchedulingPod, node: NodeInfo): FilterResult {
  if (!pod.hasAffinity) return null;
  return nodeAffinityMatches(pod.affinity, node.labels, node.fields) ? null : NODE_AFFINITY;
}

/** Two pods conflict on a protocol and port when they bind the same address or either binds 0.0.0.0. */
export function nodePorts(pod: SchedulingPod, node: NodeInfo): FilterResult {
  if (pod.ports.length === 0 || node.ports.size === 0) return null;
  for (const p of pod.ports) {
    const used = node.ports.get(p.key);
    if (!used) continue;
    if (p.ip === ANY_IP || used.has(ANY_IP) || used.has(p.ip)) return HOST_PORTS;
  }
  return null;
}

// Every combination of the three resource reasons, indexed by bitmask, in kube-scheduler's order.
const RESOURCE_REASONS: (readonly string[] | null)[] = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
  if (mask === 0) return null;
  const r: string[] = [];
  if (mask & 1) r.push(REASON_TOO_MANY_PODS);
  if (mask & 2) r.push(REASON_INSUFFICIENT_CPU);
  if (mask & 4) r.push(REASON_INSUFFICIENT_MEMORY);
  return r;
});

/** Pod count, cpu and memory against allocatable minus what the node's pods already request. */
export function resourcesFit(pod: SchedulingPod, node: NodeInfo): FilterResult {
  let mask = 0;
  if (node.podCount + 1 > node.allocPods) mask |= 1;
  const d = pod.demand;
  // As in Kubernetes, a pod that requests nothing fits a node that is already overcommitted.
  if (d.milliCpu > 0 && d.milliCpu > node.allocMilliCpu - node.reqMilliCpu) mask |= 2;
  if (d.memory > 0 && d.memory > node.allocMemory - node.reqMemory) mask |= 4;
  return RESOURCE_REASONS[mask];
}

/** In kube-scheduler's order; a node reports the reasons of the first filter that rejects it. */
export const FILTERS: readonly Filter[] = [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, resourcesFit];

export function runFilters(pod: SchedulingPod, node: NodeInfo): FilterResult {
  for (let i = 0; i < FILTERS.length; i++) {
    const r = FILTERS[i](pod, node);
    if (r !== null) return r;
  }
  return null;
}
