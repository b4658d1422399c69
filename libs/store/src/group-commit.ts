// Group commit: the write-only transactions that arrive while another commit is in flight go into one
// statement, so they share one turn on the version counter's row lock and one WAL flush.
import { writeKey, type PendingWrite } from './write-tx';

/** A write-only transaction waiting for the group commit. */
export interface QueuedCommit {
  writes: PendingWrite[];
  resolve: (lastRv: number) => void;
  reject: (err: unknown) => void;
}

/** Most writes one group commit carries: the statement stays small enough to plan and send quickly. */
export const GROUP_COMMIT_MAX_WRITES = 256;

/**
 * Takes from the front of the queue the transactions that can share one statement: in arrival order, up to
 * the size limit, and stopping at one that writes an object another member writes (the statement keeps one
 * row per object, which is right within a transaction and wrong across two). The first always goes, however
 * large.
 */
export function takeBatch<T extends Pick<QueuedCommit, 'writes'>>(queue: T[], maxWrites = GROUP_COMMIT_MAX_WRITES): T[] {
  const keys = new Set<string>();
  let writes = 0;
  let n = 0;
  for (; n < queue.length; n++) {
    const own = new Set(queue[n].writes.map(writeKey));
    if (n > 0 && (writes + queue[n].writes.length > maxWrites || [...own].some((k) => keys.has(k)))) break;
    own.forEach((k) => keys.add(k));
    writes += queue[n].writes.length;
  }
  return queue.splice(0, n);
}

/** Queues write-only transactions and commits them in batches, one batch at a time. */
export class GroupCommit {
  private readonly queue: QueuedCommit[] = [];
  private committing = false;

  /** @param commitAlone commits writes as one transaction of their own and resolves to its last version. */
  constructor(private readonly commitAlone: (writes: PendingWrite[]) => Promise<number>) {}

  /** Commits `writes` with the other transactions waiting at the time; resolves to their last version. */
  submit(writes: PendingWrite[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      if (!this.committing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) await this.commitBatch(takeBatch(this.queue));
    } finally {
      this.committing = false;
    }
  }

  private async commitBatch(batch: QueuedCommit[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.commitAlone(batch.flatMap((m) => m.writes));
        for (const m of batch) m.resolve(Number(m.writes[m.writes.length - 1].obj.metadata.resourceVersion));
        return;
      } catch {
        // One member's failure (a name taken meanwhile, say) fails the whole statement: commit each on its own,
        // so that each gets its own answer.
      }
    }
    await Promise.all(batch.map((m) => this.commitAlone(m.writes).then(m.resolve, m.reject)));
  }
}
