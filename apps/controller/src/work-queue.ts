// The reconcile queues on BullMQ: one queue and one worker pool per control loop, one pending job per key.
//
// BullMQ ignores an add whose jobId already exists, which is what collapses bursts, but it also ignores an
// add while that job is *running*: a change that arrives then would be lost. So each process remembers the
// keys its workers are running, marks them dirty when a change arrives meanwhile, and enqueues them again
// once the job has finished. Every process that runs workers also runs a dispatcher, so whichever process
// runs a key sees every change to it.
import { Queue, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { jobIdFor, keyString } from '@flotilla/queue';
import type { ControllerQueue, ReconcileJob, ReconcileKey } from '@flotilla/queue';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';

export interface ReconcileOutcome {
  /** Run this key again after this many milliseconds even if nothing changes. */
  requeueAfterMs?: number;
  /** Run it again soon (a conflict was resolved by re-reading; or a transient failure). */
  retry?: boolean;
}

export type Reconciler = (key: ReconcileKey) => Promise<ReconcileOutcome | void>;

export interface WorkQueueOptions {
  /** The registered controllers' queues. */
  queues: readonly ControllerQueue[];
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  log: Logger;
}

const FLUSH_MS = 5;
/** Most jobs added to Redis in one command. */
const ADD_BATCH = 500;
/** Locally remembered adds are trusted this long; after that a change enqueues again (covers a flushed Redis). */
const PENDING_TRUST_MS = 3000;
const MAX_BACKOFF_MS = 10_000;
/** A key marked running for longer than this is treated as lost (its completion was never reported). */
const STUCK_MS = 60_000;

export class WorkQueues {
  private readonly queues = new Map<ControllerQueue, Queue<ReconcileJob>>();
  private readonly workers: Worker<ReconcileJob>[] = [];
  /** Keys running in this process, with the time they started. */
  private readonly active = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly pendingSince = new Map<string, number>();
  private readonly toAdd = new Map<ControllerQueue, Map<string, ReconcileJob>>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Jobs processed, by queue (for logs and tests). */
  readonly processed = new Map<ControllerQueue, number>();

  constructor(private readonly opts: WorkQueueOptions) {
    for (const name of opts.queues) {
      this.queues.set(name, new Queue<ReconcileJob>(name, { connection: opts.connection, prefix: opts.prefix }));
    }
  }

  /** Starts the workers for the loops that have a reconciler. */
  start(reconcilers: Partial<Record<ControllerQueue, Reconciler>>): void {
    for (const [name, fn] of Object.entries(reconcilers) as [ControllerQueue, Reconciler][]) {
      const worker = new Worker<ReconcileJob>(name, (job) => this.run(name, job, fn), {
        connection: this.opts.connection,
        prefix: this.opts.prefix,
        concurrency: this.opts.concurrency,
        // A killed controller's running jobs are handed back quickly, so a restart does not wait 30 s for them.
        lockDuration: 6000,
        stalledInterval: 3000,
        maxStalledCount: 5,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      });
      worker.on('completed', (job) => this.finished(name, job));
      worker.on('failed', (job) => job && this.finished(name, job));
      worker.on('error', (err) => {
        this.opts.log.warn('queue worker error', { queue: name, error: errorText(err) });
        // A job whose key vanished (flushed Redis) never reports completion: stop waiting for it.
        const m = /Missing key for job (.+)\. \w+$/.exec(errorText(err));
        if (m) this.released(name, m[1]);
      });
      this.workers.push(worker);
    }
  }

  /** Asks for a sync of `key` by `queue`'s loop (collapsed with other requests for the same key). */
  enqueue(queue: ControllerQueue, key: ReconcileKey, cause: ReconcileJob['cause'] = 'change'): void {
    if (this.closed) return;
    const id = jobIdFor(queue, key);
    const runningSince = this.active.get(id);
    if (runningSince !== undefined && Date.now() - runningSince < STUCK_MS) {
      this.dirty.add(id);
      return;
    }
    const since = this.pendingSince.get(id);
    if (since !== undefined && Date.now() - since < PENDING_TRUST_MS && cause !== 'resync') return;
    let m = this.toAdd.get(queue);
    if (!m) this.toAdd.set(queue, (m = new Map()));
    m.set(id, { ...key, cause });
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Runs `key` again after `ms` (the earliest request wins). Timers are local: a restart resyncs anyway. */
  enqueueAfter(queue: ControllerQueue, key: ReconcileKey, ms: number): void {
    const id = jobIdFor(queue, key);
    const at = Date.now() + ms;
    const existing = this.timers.get(id);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.enqueue(queue, key, 'requeue');
    }, ms);
    timer.unref();
    this.timers.set(id, { at, timer });
  }

  /**
   * Forgets what this process believes is queued or running (after Redis lost its data: running jobs then
   * never report completion). Keys that changed while running are enqueued again at once; a job still
   * running here may overlap with its new copy, which the reconcilers tolerate.
   */
  forgetPending(): void {
    this.pendingSince.clear();
    this.active.clear();
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const id of dirty) {
      this.enqueue(id.split('/')[0] as ControllerQueue, keyFromJobId(id), 'dirty');
    }
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const batches = [...this.toAdd.entries()];
    this.toAdd.clear();
    const now = Date.now();
    await Promise.all(
      batches.map(async ([queue, jobs]) => {
        const q = this.queues.get(queue);
        if (!q) return;
        const all = [...jobs.entries()];
        for (const [id] of all) this.pendingSince.set(id, now);
        // In slices, one after another: a mass change (10,000 pods deleted) would otherwise build one MULTI of
        // every job, with a Job object and its encoded command each, all alive at once.
        for (let i = 0; i < all.length; i += ADD_BATCH) {
          const list = all.slice(i, i + ADD_BATCH);
          try {
            await q.addBulk(list.map(([id, data]) => ({ name: queue, data, opts: { jobId: id, removeOnComplete: true, removeOnFail: true } })));
          } catch (err) {
            for (const [id] of list) this.pendingSince.delete(id);
            this.opts.log.warn('could not enqueue reconcile jobs; they will be retried', { queue, count: list.length, error: errorText(err) });
            for (const [id, data] of list) this.enqueueAfterId(queue, id, data, 1000);
          }
        }
      }),
    );
  }

  private enqueueAfterId(queue: ControllerQueue, _id: string, data: ReconcileJob, ms: number): void {
    this.enqueueAfter(queue, { kind: data.kind, namespace: data.namespace, name: data.name }, ms);
  }

  private async run(queue: ControllerQueue, job: Job<ReconcileJob>, fn: Reconciler): Promise<ReconcileOutcome | void> {
    const id = job.id ?? jobIdFor(queue, job.data);
    // Never plan one key twice at once in this process. BullMQ's job id normally guarantees it, but not
    // after Redis lost its data (a resync re-adds a key whose job is still running): the second run
    // waits for the first, then plans from the state the first one left.
    const previous = this.running.get(id);
    let done = (): void => undefined;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.running.set(id, mine);
    if (previous) await previous;
    try {
      return await this.runExclusive(queue, job, fn, id);
    } finally {
      done();
      if (this.running.get(id) === mine) this.running.delete(id);
    }
  }

  private readonly running = new Map<string, Promise<void>>();

  private async runExclusive(queue: ControllerQueue, job: Job<ReconcileJob>, fn: Reconciler, id: string): Promise<ReconcileOutcome | void> {
    this.active.set(id, Date.now());
    this.pendingSince.delete(id);
    this.dirty.delete(id);
    const key: ReconcileKey = { kind: job.data.kind, namespace: job.data.namespace, name: job.data.name };
    try {
      const out = (await fn(key)) ?? {};
      this.failures.delete(id);
      if (out.requeueAfterMs !== undefined) this.enqueueAfter(queue, key, Math.max(0, out.requeueAfterMs));
      if (out.retry) this.dirty.add(id);
      return out;
    } catch (err) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(n, 10));
      this.opts.log.warn('reconcile failed; retrying with back-off', { queue, key: keyString(key), attempt: n, backoffMs: backoff, error: errorText(err) });
      this.enqueueAfter(queue, key, backoff);
      return {};
    } finally {
      this.processed.set(queue, (this.processed.get(queue) ?? 0) + 1);
    }
  }

  private finished(queue: ControllerQueue, job: Job<ReconcileJob>): void {
    this.released(queue, job.id ?? '', job.data);
  }

  private released(queue: ControllerQueue, id: string, data?: ReconcileKey): void {
    this.active.delete(id);
    if (!this.dirty.delete(id)) return;
    const key = data ?? keyFromJobId(id);
    this.enqueue(queue, { kind: key.kind, namespace: key.namespace, name: key.name }, 'dirty');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** The key inside a job id `<queue>/<kind>/<namespace>/<name>`. */
function keyFromJobId(id: string): ReconcileKey {
  const [, kind, namespace, ...name] = id.split('/');
  return { kind: kind ?? '', namespace: namespace ?? '', name: name.join('/') };
}
