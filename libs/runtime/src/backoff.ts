// Crash-loop back-off as kubelet does it: base, 2×base, 4×base … capped; reset after a long clean run.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** A container that ran at least this long before exiting restarts without delay accumulation. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** Delay before the restart that follows `restartCount` earlier restarts. */
export function backoffDelay(policy: BackoffPolicy, restartCount: number, ranForMs = 0): number {
  if (ranForMs >= policy.resetAfterMs) return policy.baseMs;
  const exp = Math.min(restartCount, 30);
  return Math.min(policy.baseMs * 2 ** exp, policy.maxMs);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${s % 60}s` : `${m}m0s`;
}
