// The dispatcher: follows the store's change log (through the watch cache, in version order) and enqueues one
// reconcile job per affected key per loop, as the registered controllers map each change to keys (see
// registration.ts; it names no kind or controller itself). It re-enqueues everything
// at start-up and periodically (resync), remembers the last dispatched resourceVersion in Redis, and notices
// a flushed Redis (the cursor is gone) and resyncs at once, so lost queues only delay convergence.
import type { Redis } from 'ioredis';
import { dispatcherCursorKey } from '@flotilla/queue';
import type { Change } from '@flotilla/store';
import type { ControllerContext } from './context';
import { ChangeRouter } from './registration';
import type { ClusterView, QueueControllerRegistration } from './registration';
import { errorText } from '@flotilla/log';

export class Dispatcher {
  private lastRv = 0;
  private persistedRv = -1;
  private resyncTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  private readonly router: ChangeRouter;
  private readonly view: ClusterView;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly redis: Redis,
    controllers: readonly QueueControllerRegistration[],
  ) {
    this.router = new ChangeRouter(controllers);
    this.view = { cache: ctx.store.cache, index: ctx.index };
  }

  async start(): Promise<void> {
    const cursorKey = dispatcherCursorKey(this.ctx.config.queuePrefix);
    const previous = await this.redis.get(cursorKey).catch(() => null);
    // Index and subscription in one synchronous step, so no change falls between them.
    this.ctx.index.rebuild();
    this.lastRv = this.ctx.store.cache.rv;
    this.unsubscribe = this.ctx.store.cache.onChange((c) => this.onChange(c));
    this.ctx.log.info('dispatcher started; full resync', { resumedFrom: previous ?? 'none', cacheRv: this.lastRv });
    this.resync('start');
    if (this.ctx.config.resyncSeconds > 0) {
      this.resyncTimer = setInterval(() => this.resync('periodic'), this.ctx.config.resyncSeconds * 1000);
    }
    this.cursorTimer = setInterval(() => void this.persistCursor(), 1000);
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.cursorTimer) clearInterval(this.cursorTimer);
  }

  private async persistCursor(): Promise<void> {
    const cursorKey = dispatcherCursorKey(this.ctx.config.queuePrefix);
    try {
      const old = await this.redis.getset(cursorKey, String(this.lastRv));
      if (old === null && this.persistedRv >= 0) {
        // The cursor we wrote is gone: Redis lost its data (FLUSHALL, failover without persistence).
        this.ctx.log.warn('Redis lost the queues; resyncing every key');
        this.ctx.queues.forgetPending();
        this.resync('redis-flushed');
      }
      this.persistedRv = this.lastRv;
    } catch (err) {
      this.ctx.log.warn('could not persist the dispatcher cursor', { error: errorText(err) });
    }
  }

  /** Every key of every loop (level-triggered: the loops decide whether anything needs doing). */
  resync(why: string): void {
    // The cache may have been reloaded wholesale (after falling behind a compacted log): rebuild the indexes.
    this.ctx.index.rebuild();
    const routed = this.router.resync(this.view);
    for (const r of routed) this.ctx.queues.enqueue(r.queue, r.key, 'resync');
    this.ctx.log.debug('resync', { why, keys: routed.length });
  }

  private onChange(c: Change): void {
    this.lastRv = c.rv;
    try {
      const ic = this.ctx.index.apply(c);
      for (const r of this.router.route(ic, this.view)) this.ctx.queues.enqueue(r.queue, r.key, 'change');
    } catch (err) {
      this.ctx.log.error('dispatch failed for a change; the next resync covers it', { resource: c.resource, name: c.name, error: errorText(err) });
    }
  }
}
