// The scheduler worker: keeps a SchedulerCache in step with the store's changes, places pending pods with the
// pure algorithm (@flotilla/scheduler) and binds them in batches, one transaction per batch (the store's
// version counter serialises commits, so batching is what gives throughput). Unschedulable pods get
// PodScheduled=False with the reason per filter and are retried with back-off when nodes or pods change.
import type { Node, Pod } from '@flotilla/resources';
import { SchedulerCache, explainUnschedulable, needsScheduling, schedule } from '@flotilla/scheduler';
import type { ScheduleFailure } from '@flotilla/scheduler';
import type { Change, Store, WriteTx } from '@flotilla/store';
import { prepareUpdate, resourceKey, timestamp } from '@flotilla/store';
import type { PlannedEvent } from '@flotilla/controllers';
import type { LoopControllerRegistration } from '../registration';
import { EventRecorder } from '../events';
import { R, T } from '../kinds';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';

export interface SchedulerOptions {
  batchSize: number;
  /** Per-pod Scheduled events are written only for batches up to this size. */
  eventsMaxBatch: number;
  isLeader: () => boolean;
}

interface PendingPod {
  namespace: string;
  name: string;
}

interface Unschedulable extends PendingPod {
  attempts: number;
  retryAt: number;
  /** The cluster generation the failure was computed against; a retry waits for something to change. */
  generation: number;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** Even without a change, unschedulable pods are tried again this often (kube-scheduler flushes after 5 min). */
const FLUSH_UNSCHEDULABLE_MS = 30_000;

export class SchedulerWorker {
  readonly cache = new SchedulerCache();
  private readonly active = new Map<string, PendingPod>();
  private readonly unschedulable = new Map<string, Unschedulable>();
  /** Bumped whenever something that could make a pod fit changes (node added/changed, pod gone). */
  private generation = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Pods bound so far and the time each bind became visible, for the benchmark's latency figures. */
  boundCount = 0;

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    private readonly log: Logger,
    private readonly opts: SchedulerOptions,
  ) {}

  start(): void {
    for (const e of this.store.cache.list(R.node)) this.cache.upsertNode(e.obj as Node);
    for (const e of this.store.cache.list(R.pod)) this.observePod(e.obj as Pod);
    this.store.cache.onChange((c) => this.onChange(c));
    this.ticker = setInterval(() => this.tick(), 250);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
  }

  private onChange(c: Change): void {
    if (c.resource === R.node) {
      if (c.type === 'DELETED') this.cache.removeNode(c.name);
      else this.cache.upsertNode(c.obj as Node);
      this.generation++;
      return;
    }
    if (c.resource !== R.pod) return;
    const pod = c.obj as Pod;
    const uid = pod.metadata.uid ?? '';
    if (c.type === 'DELETED') {
      this.cache.removePod(uid);
      this.active.delete(uid);
      this.unschedulable.delete(uid);
      this.generation++;
      return;
    }
    const wasAccounted = pod.spec.nodeName !== undefined;
    this.observePod(pod);
    if (wasAccounted && (pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) this.generation++;
  }

  private observePod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.cache.upsertPod(pod);
    if (needsScheduling(pod)) {
      if (!this.unschedulable.has(uid) && !this.cache.isAssumed(uid)) {
        this.active.set(uid, { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' });
        this.kick();
      }
    } else {
      this.active.delete(uid);
      this.unschedulable.delete(uid);
    }
  }

  /** Moves unschedulable pods whose back-off is over, and for which something changed, back to the queue. */
  private tick(): void {
    if (this.unschedulable.size === 0) return;
    const now = Date.now();
    let moved = 0;
    for (const [uid, u] of this.unschedulable) {
      const changed = u.generation !== this.generation;
      if (now >= u.retryAt && (changed || now - u.retryAt > FLUSH_UNSCHEDULABLE_MS)) {
        this.unschedulable.delete(uid);
        this.active.set(uid, { namespace: u.namespace, name: u.name });
        moved++;
      }
    }
    if (moved) this.kick();
  }

  private kick(): void {
    if (this.running || this.timer || this.stopped) return;
    // A short pause lets a burst of creates arrive so they are bound in one transaction.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.loop();
    }, 2);
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.active.size > 0 && !this.stopped) {
        if (!this.opts.isLeader()) {
          await sleep(500);
          continue;
        }
        await this.runBatch();
      }
    } catch (err) {
      this.log.error('scheduler loop failed', { error: errorText(err) });
      await sleep(500);
    } finally {
      this.running = false;
      if (this.active.size > 0 && !this.stopped) this.kick();
    }
  }

  private async runBatch(): Promise<void> {
    const picked: { uid: string; pod: Pod }[] = [];
    for (const [uid, ref] of this.active) {
      this.active.delete(uid);
      const e = this.store.cache.get(R.pod, ref.namespace, ref.name);
      const pod = e?.obj as Pod | undefined;
      if (!pod || pod.metadata.uid !== uid || !needsScheduling(pod) || this.cache.isAssumed(uid)) continue;
      picked.push({ uid, pod });
      if (picked.length >= this.opts.batchSize) break;
    }
    if (picked.length === 0) return;

    const binds: { pod: Pod; nodeName: string }[] = [];
    const failures: { pod: Pod; result: ScheduleFailure }[] = [];
    for (const { pod } of picked) {
      const r = schedule(pod, this.cache);
      if (r.nodeName === null) {
        failures.push({ pod, result: r });
        continue;
      }
      this.cache.assume(pod, r.nodeName);
      binds.push({ pod, nodeName: r.nodeName });
    }

    const now = new Date();
    const withEvents = binds.length <= this.opts.eventsMaxBatch;
    try {
      const lastRv = await this.store.transaction(async (tx) => {
        const events: PlannedEvent[] = [];
        const locked = await tx.lockPods(binds.map((b) => ({ namespace: b.pod.metadata.namespace ?? '', name: b.pod.metadata.name ?? '' })));
        for (const b of binds) {
          if (this.bindIn(tx, b.pod, locked.get(`${b.pod.metadata.namespace}/${b.pod.metadata.name}`), b.nodeName, now)) {
            if (withEvents) events.push(scheduledEvent(b.pod, b.nodeName));
          } else this.cache.forget(b.pod.metadata.uid ?? '');
        }
        for (const f of failures) await this.markUnschedulableIn(tx, f.pod, f.result, now);
        const failedEvents = failures.map((f) => failedEvent(f.pod, f.result.message));
        await this.events.recordIn(tx, [...events, ...failedEvents], now);
        return tx.writes.length;
      });
      this.boundCount += binds.length;
      if (lastRv === 0 && binds.length) this.log.debug('nothing to bind');
    } catch (err) {
      this.log.warn('bind transaction failed; pods go back to the queue', { pods: binds.length, error: errorText(err) });
      for (const b of binds) {
        this.cache.forget(b.pod.metadata.uid ?? '');
        this.backoff(b.pod, 1);
      }
    }
    for (const f of failures) this.backoff(f.pod);
  }

  /**
   * Binds one pod: spec.nodeName and the PodScheduled condition in one write, as the binding subresource does
   * in Kubernetes. The row is read under lock, so a pod bound, deleted or replaced meanwhile is skipped.
   */
  private bindIn(tx: WriteTx, planned: Pod, current: Pod | undefined, nodeName: string, now: Date): boolean {
    if (!current || current.metadata.uid !== planned.metadata.uid || !needsScheduling(current)) return false;
    const bound: Pod = { ...current, spec: { ...current.spec, nodeName } };
    const next = prepareUpdate(T.pod, current, bound, undefined);
    if (!next) return false;
    const conditions = (current.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(now) });
    next.status = { ...(current.status ?? {}), conditions };
    tx.queue({
      op: 'update',
      type: 'MODIFIED',
      resource: resourceKey(T.pod),
      namespace: current.metadata.namespace ?? '',
      name: current.metadata.name ?? '',
      obj: next,
    });
    return true;
  }

  private async markUnschedulableIn(tx: WriteTx, planned: Pod, result: ScheduleFailure, now: Date): Promise<void> {
    const existing = planned.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (existing && existing.status === 'False' && existing.message === result.message) return;
    const current = (await tx.read(T.pod, planned.metadata.namespace ?? '', planned.metadata.name ?? '')) as Pod | undefined;
    if (!current || current.metadata.uid !== planned.metadata.uid || !needsScheduling(current)) return;
    const cond = { ...explainUnschedulable(result), lastTransitionTime: timestamp(now) };
    const conditions = [...(current.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), cond];
    await this.store.updateIn(tx, T.pod, { ...current, status: { ...(current.status ?? {}), conditions } }, current.metadata.namespace ?? '', 'status');
  }

  private backoff(pod: Pod, attemptsOverride?: number): void {
    const uid = pod.metadata.uid ?? '';
    const prev = this.unschedulable.get(uid);
    const attempts = attemptsOverride ?? (prev?.attempts ?? 0) + 1;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (attempts - 1));
    this.unschedulable.set(uid, {
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      attempts,
      retryAt: Date.now() + delay,
      generation: attemptsOverride ? -1 : this.generation,
    });
  }

  get pendingCount(): number {
    return this.active.size + this.unschedulable.size;
  }
}

function ref(pod: Pod): PlannedEvent['involvedObject'] {
  return { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

function scheduledEvent(pod: Pod, nodeName: string): PlannedEvent {
  return {
    involvedObject: ref(pod),
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
  };
}

function failedEvent(pod: Pod, message: string): PlannedEvent {
  return { involvedObject: ref(pod), type: 'Warning', reason: 'FailedScheduling', message };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const schedulerController: LoopControllerRegistration = {
  name: 'default-scheduler',
  owns: [R.pod],
  start: (ctx, env) => {
    const scheduler = new SchedulerWorker(ctx.store, new EventRecorder(ctx.store, 'default-scheduler', ctx.log), ctx.log, {
      batchSize: ctx.config.schedulerBatch,
      eventsMaxBatch: ctx.config.schedulerEventsMaxBatch,
      isLeader: env.isLeader,
    });
    scheduler.start();
    return scheduler;
  },
};
