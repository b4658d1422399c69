// One scheduling decision: filter a sample of the nodes, score the feasible ones, pick the best.
import type { Condition, Pod } from '@flotilla/resources';
import type { NodeInfo, SchedulerCache } from './cache';
import { prepare, runFilters } from './filters';
import { WEIGHTS, controllerPodsOnNode, intolerablePreferNoSchedule, leastAllocated, normalize, preferredAffinity, spreadScore } from './scores';

export interface ScheduleOptions {
  /** Stop filtering once this share of the nodes is feasible; default adapts to the cluster size. */
  percentageOfNodesToScore?: number;
  /** Uniform in [0, 1); breaks ties between equally good nodes. Defaults to Math.random. */
  rng?: () => number;
}

export interface ScheduleSuccess {
  nodeName: string;
  score: number;
}

export interface ScheduleFailure {
  nodeName: null;
  /** How many nodes gave each reason; a node may give several (e.g. cpu and memory). */
  reasons: Record<string, number>;
  message: string;
}

export type ScheduleResult = ScheduleSuccess | ScheduleFailure;

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;
const BASE_PERCENTAGE = 50;

/**
 * kube-scheduler's sample size: every node below 100, otherwise the given percentage, or by default
 * 50% at 100 nodes falling linearly to 10% at 5,000 (42% at 1,000), never below 5% or 100 nodes.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore?: number): number {
  const pct = percentageOfNodesToScore ?? 0;
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || pct >= 100) return numAllNodes;
  let adaptive = pct;
  if (adaptive <= 0) {
    adaptive = BASE_PERCENTAGE - Math.floor(numAllNodes / 125);
    if (adaptive < MIN_FEASIBLE_NODES_PERCENTAGE) adaptive = MIN_FEASIBLE_NODES_PERCENTAGE;
  }
  const n = Math.floor((numAllNodes * adaptive) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Whether this scheduler should place the pod: unbound, alive, and addressed to the default scheduler. */
export function needsScheduling(pod: Pod): boolean {
  const phase = pod.status?.phase;
  const name = pod.spec.schedulerName;
  return (
    !pod.spec.nodeName &&
    pod.metadata.deletionTimestamp === undefined &&
    phase !== 'Succeeded' &&
    phase !== 'Failed' &&
    (!name || name === DEFAULT_SCHEDULER_NAME)
  );
}

/** kube-scheduler's FitError text: reason counts as "N reason", sorted as strings, comma-joined. */
export function fitErrorMessage(numAllNodes: number, reasons: Readonly<Record<string, number>>): string {
  const parts = Object.keys(reasons)
    .map((r) => `${reasons[r]} ${r}`)
    .sort();
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}

/** The PodScheduled condition the scheduler worker writes for a pod that did not fit. */
export function explainUnschedulable(result: ScheduleFailure, now?: Date): Condition {
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: 'Unschedulable',
    message: result.message,
    lastProbeTime: null,
    ...(now ? { lastTransitionTime: now.toISOString() } : {}),
  };
}

// Scratch space reused across calls (schedule() is synchronous), so the hot loop allocates nothing.
const feasible: NodeInfo[] = [];
let rawLeast = new Int32Array(0);
let rawSpread = new Int32Array(0);
let rawAffinity = new Int32Array(0);
let rawTaints = new Int32Array(0);

function ensureScratch(n: number): void {
  if (rawLeast.length >= n) return;
  const size = Math.max(n, rawLeast.length * 2, 64);
  rawLeast = new Int32Array(size);
  rawSpread = new Int32Array(size);
  rawAffinity = new Int32Array(size);
  rawTaints = new Int32Array(size);
}

/**
 * Picks a node for an unbound pod from the cache, or explains why none fits. Does not change the
 * cache's accounting: call cache.assume(pod, nodeName) before writing the bind.
 */
export function schedule(pod: Pod, cache: SchedulerCache, opts: ScheduleOptions = {}): ScheduleResult {
  if (pod.spec.nodeName) {
    throw new Error(
      `pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} is already bound to node ${pod.spec.nodeName}; check needsScheduling(pod) before scheduling`,
    );
  }
  const nodes = cache.nodes;
  const n = nodes.length;
  if (n === 0) return { nodeName: null, reasons: {}, message: NO_NODES_MESSAGE };

  const sp = prepare(pod);
  const want = numFeasibleNodesToFind(n, opts.percentageOfNodesToScore);
  const start = cache.nextStartIndex % n;
  let found = 0;
  let processed = 0;
  let failures: Map<string, number> | null = null;
  for (; processed < n && found < want; processed++) {
    let i = start + processed;
    if (i >= n) i -= n;
    const node = nodes[i];
    const rejected = runFilters(sp, node);
    if (rejected === null) {
      feasible[found++] = node;
    } else {
      failures ??= new Map();
      for (const r of rejected) failures.set(r, (failures.get(r) ?? 0) + 1);
    }
  }
  // The next pod starts where this one stopped, so every node gets sampled in turn.
  cache.nextStartIndex = (start + processed) % n;

  if (found === 0) {
    const reasons: Record<string, number> = {};
    for (const [r, c] of failures ?? []) reasons[r] = c;
    return { nodeName: null, reasons, message: fitErrorMessage(n, reasons) };
  }

  ensureScratch(found);
  let maxSpread = 0;
  let maxAffinity = 0;
  let maxTaints = 0;
  for (let i = 0; i < found; i++) {
    const node = feasible[i];
    rawLeast[i] = leastAllocated(sp, node);
    const s = (rawSpread[i] = controllerPodsOnNode(sp, node));
    if (s > maxSpread) maxSpread = s;
    const a = (rawAffinity[i] = preferredAffinity(sp, node));
    if (a > maxAffinity) maxAffinity = a;
    const t = (rawTaints[i] = intolerablePreferNoSchedule(sp, node));
    if (t > maxTaints) maxTaints = t;
  }

  const rng = opts.rng ?? Math.random;
  let best = -1;
  let bestScore = -1;
  let ties = 0;
  for (let i = 0; i < found; i++) {
    const score =
      WEIGHTS.leastAllocated * rawLeast[i] +
      WEIGHTS.spread * spreadScore(rawSpread[i], maxSpread) +
      WEIGHTS.nodeAffinity * normalize(rawAffinity[i], maxAffinity, false) +
      WEIGHTS.taintToleration * normalize(rawTaints[i], maxTaints, true);
    if (score > bestScore) {
      bestScore = score;
      best = i;
      ties = 1;
    } else if (score === bestScore) {
      // Reservoir sampling: each of the tied nodes ends up chosen with equal probability.
      ties++;
      if (((rng() * ties) | 0) === 0) best = i;
    }
  }
  return { nodeName: feasible[best].name, score: bestScore };
}
