// Writes core/v1 Events the way Kubernetes' recorder does: correlated first (similar events combined, bursts
// capped: see event-correlator.ts), then one object per (object, reason, message, type), named
// `<object>.<hex>`, and a repeat of the same event increments its count instead of adding another.
import { randomBytes } from 'node:crypto';
import type { PlannedEvent } from '@flotilla/controllers';
import type { KubeEvent, Namespace } from '@flotilla/resources';
import type { Store, WriteTx } from '@flotilla/store';
import { StoreError, timestamp } from '@flotilla/store';
import { EventCorrelator } from './event-correlator';
import { R, T } from './kinds';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';

const MAX_REMEMBERED = 20_000;

export class EventRecorder {
  /** correlation key → event name, so a repeat finds the event to bump. */
  private readonly seen = new Map<string, string>();
  private readonly correlator: EventCorrelator;

  constructor(
    private readonly store: Store,
    private readonly component: string,
    private readonly log: Logger,
  ) {
    this.correlator = new EventCorrelator(component);
  }

  /** Records events in their own transaction; a failure is logged, never thrown (events are best effort). */
  async record(events: PlannedEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.store.transaction((tx) => this.recordIn(tx, events));
    } catch (err) {
      this.log.warn('could not record events', { error: errorText(err), reason: events[0].reason });
    }
  }

  /** Queues the events into a transaction the caller commits (so a batch of creates and their events is one write). */
  async recordIn(tx: WriteTx, events: PlannedEvent[], now = new Date()): Promise<void> {
    // Correlated first (aggregation, spam filter), then one write per resulting event however often it occurs here.
    const batch = new Map<string, { ev: PlannedEvent; message: string; n: number }>();
    for (const ev of events) {
      if (!this.namespaceActive(ev.involvedObject.namespace || 'default')) continue;
      const c = this.correlator.correlate(ev, now.getTime());
      if (!c) continue;
      const b = batch.get(c.key);
      if (b) {
        b.n++;
        b.message = c.message;
      } else batch.set(c.key, { ev, message: c.message, n: 1 });
    }
    for (const [key, { ev, message, n }] of batch) {
      const ns = ev.involvedObject.namespace || 'default';
      const known = this.seen.get(key);
      if (known && this.store.cache.get(R.event, ns, known)) {
        const current = (await tx.read(T.event, ns, known)) as KubeEvent | undefined;
        if (current) {
          await this.store.updateIn(tx, T.event, { ...current, message, count: (current.count ?? 1) + n, lastTimestamp: timestamp(now) }, ns);
          continue;
        }
      }
      const name = `${ev.involvedObject.name}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}${randomBytes(3).toString('hex')}`;
      const obj: KubeEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: { ...ev.involvedObject },
        reason: ev.reason,
        message,
        type: ev.type,
        count: n,
        firstTimestamp: timestamp(now),
        lastTimestamp: timestamp(now),
        eventTime: null,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: '',
      };
      try {
        await this.store.createIn(tx, T.event, obj, ns);
      } catch (err) {
        if (err instanceof StoreError && err.reason === 'AlreadyExists') continue;
        throw err;
      }
      if (this.seen.size >= MAX_REMEMBERED) this.seen.clear();
      this.seen.set(key, name);
    }
  }

  /** Events are not written into a namespace that is gone or being emptied (the namespace controller would chase them). */
  private namespaceActive(ns: string): boolean {
    const e = this.store.cache.get(R.namespace, '', ns);
    if (!e) return false;
    return (e.obj as Namespace).status?.phase !== 'Terminating' && !e.obj.metadata.deletionTimestamp;
  }
}
