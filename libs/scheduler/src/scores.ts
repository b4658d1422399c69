// Scores: how good is this feasible node for the pod? Each is 0–100 (after normalising across the
// feasible nodes), in whole numbers as kube-scheduler computes them, then summed with WEIGHTS.
import type { NodeInfo } from './cache';
import type { SchedulingPod } from './filters';
import { preferredAffinityWeight } from './node-affinity';
import { tolerates } from './taints';

export const MAX_NODE_SCORE = 100;

// Scores are small non-negative numbers, so `| 0` truncates like flooring, without a lookup of the
// Math global per node (which costs more than the arithmetic when code runs in a vm context, as in jest).

/** kube-scheduler's default plugin weights for the matching plugins. */
export const WEIGHTS = { leastAllocated: 1, spread: 2, nodeAffinity: 2, taintToleration: 3 } as const;

function freeFraction(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return (((allocatable - requested) * MAX_NODE_SCORE) / allocatable) | 0;
}

/**
 * The share of cpu and memory left free once the pod is placed, averaged. Uses the non-zero
 * requests, so pods that request nothing still count against a node and spread out.
 */
export function leastAllocated(pod: SchedulingPod, node: NodeInfo): number {
  const cpu = freeFraction(node.nonZeroMilliCpu + pod.demand.nonZeroMilliCpu, node.allocMilliCpu);
  const mem = freeFraction(node.nonZeroMemory + pod.demand.nonZeroMemory, node.allocMemory);
  return ((cpu + mem) / 2) | 0;
}

/** Raw: pods of the same controller already on the node (normalise with spreadScore). */
export function controllerPodsOnNode(pod: SchedulingPod, node: NodeInfo): number {
  return pod.controller === undefined ? 0 : (node.controllers.get(pod.controller) ?? 0);
}

/** Fewer siblings → higher; the node with the most siblings scores 0. */
export function spreadScore(count: number, maxCount: number): number {
  return maxCount === 0 ? MAX_NODE_SCORE : ((MAX_NODE_SCORE * (maxCount - count)) / maxCount) | 0;
}

/** Raw: sum of the weights of the preferred node affinity terms the node matches. */
export function preferredAffinity(pod: SchedulingPod, node: NodeInfo): number {
  return pod.preferred.length === 0 ? 0 : preferredAffinityWeight(pod.preferred, node.labels, node.fields);
}

/** Raw: PreferNoSchedule taints the pod does not tolerate. */
export function intolerablePreferNoSchedule(pod: SchedulingPod, node: NodeInfo): number {
  let n = 0;
  for (const t of node.softTaints) if (!tolerates(pod.tolerations, t)) n++;
  return n;
}

/** kube-scheduler's DefaultNormalizeScore: scale so the best raw value maps to 100 (or 0, reversed). */
export function normalize(raw: number, max: number, reverse: boolean): number {
  if (max === 0) return reverse ? MAX_NODE_SCORE : 0;
  const s = ((MAX_NODE_SCORE * raw) / max) | 0;
  return reverse ? MAX_NODE_SCORE - s : s;
}
