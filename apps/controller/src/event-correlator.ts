// What Kubernetes' event recorder does before it writes (client-go's EventCorrelator), so that a burst does not
// turn into one Event object per pod:
// - aggregation: once 10 events differing only in message have been seen for one object, source, type and
//   reason within 10 minutes, the rest are folded into one "(combined from similar events)" event whose count
//   rises;
// - spam filter: each (source, object) has a bucket of 25 events, refilled one per 5 minutes; an event
//   beyond it is dropped.
// A ReplicaSet that creates 100 pods at once thus writes 10 SuccessfulCreate events and one combined event
// counted 15 times, not 100 events.
import type { PlannedEvent } from '@flotilla/controllers';

export interface CorrelatorOptions {
  maxSimilar: number;
  windowMs: number;
  burst: number;
  refillEveryMs: number;
}

export const KUBERNETES_DEFAULTS: CorrelatorOptions = { maxSimilar: 10, windowMs: 600_000, burst: 25, refillEveryMs: 300_000 };

/** The event to write: `key` identifies it among earlier ones (a repeat bumps its count). */
export interface Correlated {
  key: string;
  message: string;
}

const MAX_TRACKED = 4096;

export class EventCorrelator {
  private readonly similar = new Map<string, { since: number; messages: Set<string> }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly source: string,
    private readonly opts: CorrelatorOptions = KUBERNETES_DEFAULTS,
  ) {}

  /** The event as it should be written, or undefined when the spam filter drops it. */
  correlate(ev: PlannedEvent, now: number): Correlated | undefined {
    const o = ev.involvedObject;
    const object = `${this.source}|${o.kind}|${o.namespace ?? ''}|${o.name}|${o.uid ?? ''}`;
    if (!this.take(object, now)) return undefined;
    const aggregate = `${object}|${ev.type}|${ev.reason}`;
    let group = this.similar.get(aggregate);
    if (!group || now - group.since > this.opts.windowMs) {
      if (this.similar.size >= MAX_TRACKED) this.similar.clear();
      group = { since: now, messages: new Set() };
      this.similar.set(aggregate, group);
    }
    if (group.messages.size < this.opts.maxSimilar) group.messages.add(ev.message);
    if (group.messages.has(ev.message)) return { key: `${aggregate}|${ev.message}`, message: ev.message };
    return { key: aggregate, message: `(combined from similar events): ${ev.message}` };
  }

  private take(object: string, now: number): boolean {
    let b = this.buckets.get(object);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
      b = { tokens: this.opts.burst, at: now };
      this.buckets.set(object, b);
    }
    b.tokens = Math.min(this.opts.burst, b.tokens + (now - b.at) / this.opts.refillEveryMs);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
