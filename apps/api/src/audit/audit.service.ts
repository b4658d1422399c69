// The audit log: every mutation and every denied request, written to Postgres in small batches off the
// request path (a slow audit insert must not slow the API; a crash loses at most one batch).
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Store } from '@flotilla/store';
import { STORE } from '../tokens';

export interface AuditRecord {
  requestId: string;
  username: string;
  groups: string[];
  sourceIp: string;
  userAgent?: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  code: number;
  decision: 'allowed' | 'denied' | 'error';
  reason?: string;
}

@Injectable()
export class AuditService implements OnModuleDestroy {
  private pending: (AuditRecord & { time: Date })[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(@Inject(STORE) private readonly store: Store) {}

  record(r: AuditRecord): void {
    this.pending.push({ ...r, time: new Date() });
    if (this.pending.length >= 200) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), 200);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.store.db.auditEvent
      .createMany({ data: batch })
      .then(() => undefined)
      .catch((err: Error) => {
        // Never drop silently: say so on stderr with the count, so an operator can see the gap.
        process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'audit write failed', lost: batch.length, error: err.message })}\n`);
      });
    await this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}
