// What the runtime remembers about a pod between syncs (waiting reasons, pull back-off, probers, timers) and
// the per-pod lock that keeps two syncs of one pod from interleaving.
import type { Pod } from '@flotilla/resources';
import type { DataResolver } from '../env';
import type { WaitingReason } from '../errors';
import type { PodRef } from '../labels';
import type { ContainerProber } from '../prober';

export interface PodState {
  ref: PodRef;
  pod?: Pod;
  resolve?: DataResolver;
  waiting: Map<string, { reason: WaitingReason; message: string }>;
  pullFailures: Map<string, { count: number; retryAt: number; message: string }>;
  projected: Map<string, string>;
  volumeErrors: Map<string, string>;
  /** Volumes already made group-owned by the pod's fsGroup since this agent took the pod on. */
  fsGroupDone: Set<string>;
  probers: Map<string, ContainerProber>;
  /** Running instances whose liveness (or startup) probe failed: the next sync stops them. */
  unhealthy: Set<string>;
  transitions: Map<string, { status: 'True' | 'False' | 'Unknown'; time: string }>;
  lock: Promise<unknown>;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  terminating: boolean;
  startTime?: string;
  /** `role/name` → restart count of instances removed with a dead sandbox, until their successors exist. */
  carried: Map<string, number>;
}

export function newPodState(ref: PodRef): PodState {
  return {
    ref,
    waiting: new Map(),
    pullFailures: new Map(),
    projected: new Map(),
    volumeErrors: new Map(),
    fsGroupDone: new Set(),
    probers: new Map(),
    unhealthy: new Set(),
    transitions: new Map(),
    lock: Promise.resolve(),
    terminating: false,
    carried: new Map(),
  };
}

/** Stops the pod's timer and probers. */
export function stopPodWork(st: PodState): void {
  clearTimeout(st.timer);
  st.timer = undefined;
  for (const p of st.probers.values()) p.stop();
  st.probers.clear();
}

/** Runs `fn` after every earlier locked call for the pod has settled. */
export function withLock<T>(st: PodState, fn: () => Promise<T>): Promise<T> {
  const run = st.lock.then(fn, fn);
  st.lock = run.catch(() => undefined);
  return run;
}
