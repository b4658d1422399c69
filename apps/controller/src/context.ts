// What every reconciler gets: the store (and its cache), the indexes, the queues, an event recorder per loop.
import type { Store } from '@flotilla/store';
import type { ApplyResult } from './apply-actions';
import type { ClusterIndex } from './cluster-index';
import type { ControllerConfig } from './config';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';
import type { WorkQueues, ReconcileOutcome } from './work-queue';

export interface ControllerContext {
  store: Store;
  index: ClusterIndex;
  queues: WorkQueues;
  config: ControllerConfig;
  log: Logger;
}

/** After its own writes a reconciler waits until its cache shows them, so its next sync never plans from before them. */
export async function settle(ctx: ControllerContext, result: ApplyResult): Promise<ReconcileOutcome> {
  if (result.lastRv > 0) {
    try {
      await ctx.store.cache.waitFor(result.lastRv);
    } catch (err) {
      ctx.log.warn('cache did not catch up with our own write', { rv: result.lastRv, error: errorText(err) });
    }
  }
  if (result.conflict) {
    // Someone else wrote first: make sure the cache holds their write before the re-plan.
    await ctx.store.sync().catch(() => undefined);
    return { retry: true, requeueAfterMs: result.requeueAfterMs };
  }
  if (result.failed) return { requeueAfterMs: Math.min(result.requeueAfterMs ?? 2000, 2000) };
  return { requeueAfterMs: result.requeueAfterMs };
}
