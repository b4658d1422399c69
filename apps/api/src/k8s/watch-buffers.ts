// The bytes all watch streams of this process have waiting in their sockets, bounded together: each
// stream is already bounded alone (FLOTILLA_WATCH_MAX_QUEUED_BYTES), but 300 slow readers at 4 MiB
// each would still pin 1.2 GB, and memory a burst made V8 and malloc take is slow to come back.
import type { ServerResponse } from 'node:http';

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
