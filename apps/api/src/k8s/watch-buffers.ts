// The bytes all watch streams of this process have waiting in their sockets, bounded together: each
// stream is already bounded alone (FLOTILLA_WATCH_MAX_QUEUED_BYTES), but 300 slow readers at 4 MiB
// each would still pin 1.2 GB, and memory a burst made V8 and malloc take is slow to come back.
import type { ServerResponse } from 'node:http';

/**
 * Each event's line, encoded once for all the watches that send it (they share the event's object).
 * Only the most recent are kept: the watches of one event send it within moments of each other, and
 * keeping one per cached object would double what the cache holds.
 */
export class EncodedLines {
  private readonly lines = new Map<object, Map<string, Buffer>>();

  constructor(private readonly keep = 512) {}

  get(obj: object, type: string, json: string): Buffer {
    let byType = this.lines.get(obj);
    if (!byType) {
      byType = new Map();
      this.lines.set(obj, byType);
      if (this.lines.size > this.keep) this.lines.delete(this.lines.keys().next().value as object);
    }
    let line = byType.get(type);
    if (!line) {
      line = Buffer.from(`{"type":"${type}","object":${json}}\n`);
      byType.set(type, line);
    }
    return line;
  }
}

export interface QueuedBytes {
  /** Records what the stream has waiting now (after each write, and after it drained). */
  update(): void;
  /**
   * True when all streams together hold more than the total bound and this one more than its even
   * share of it: the largest holders are ended first (they re-list and resume, as after a stall).
   */
  overShare(): boolean;
  close(): void;
}

export class WatchBuffers {
  private total = 0;
  private streams = 0;

  constructor(private readonly maxTotalBytes: number) {}

  /** What is waiting in all streams, as last recorded by each. */
  get bytes(): number {
    return this.total;
  }

  open(res: Pick<ServerResponse, 'writableLength'>): QueuedBytes {
    let held = 0;
    let open = true;
    this.streams++;
    return {
      update: () => {
        if (!open) return;
        const now = res.writableLength;
        this.total += now - held;
        held = now;
      },
      overShare: () => open && this.total > this.maxTotalBytes && held > this.maxTotalBytes / this.streams,
      close: () => {
        if (!open) return;
        open = false;
        this.total -= held;
        held = 0;
        this.streams--;
      },
    };
  }
}
