// The one way e2e suites wait for a state that changes over time. Sampling once races the system under
// test: on a loaded machine the state arrives later, so every such assertion retries within a bound.

export interface EventuallyOptions {
  /** Give up after this long; the last failure is rethrown. */
  timeoutMs?: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Extra context appended to the timeout error (e.g. a process's log tail), computed only on failure. */
  context?: () => string;
}

/** Thrown by an assertion to stop waiting at once: the state can no longer arrive (the process exited). */
export class GiveUp extends Error {}

/**
 * Retries `assertion` until it returns without throwing, and returns what it returned; rethrows the last
 * failure after `timeoutMs`, or at once when it throws GiveUp. A bare number is the timeout (older callers pass it so).
 */
export async function eventually<T>(assertion: () => T | Promise<T>, opts: EventuallyOptions | number = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 250, context } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (err instanceof GiveUp || Date.now() > deadline) {
        if (!context) throw err;
        const e = err instanceof Error ? err : new Error(String(err));
        e.message = `${e.message}\n${context()}`;
        throw e;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * Waits until `fn` yields a value (not undefined, null or false) and returns it — for states read as a value
 * rather than asserted. A throw inside `fn` counts as "not yet" and is reported if time runs out.
 */
export function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: EventuallyOptions = {},
): Promise<T> {
  let lastErr: unknown;
  return eventually(
    async () => {
      let v: T | undefined | null | false;
      try {
        v = await fn();
      } catch (e) {
        lastErr = e;
      }
      if (v === undefined || v === null || v === false) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
      return v;
    },
    { timeoutMs: 30_000, intervalMs: 100, ...opts },
  );
}
