// The audit log: every mutation and every denied request, written to Postgres in small batches off the
// request path (a slow audit insert must not slow the API; a crash loses at most one batch).
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Store } from '@flotilla/store';
import { log } from '../log';
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

const AUDIT_COLUMNS =
  'time, request_id, username, groups, source_ip, user_agent, verb, api_group, resource, subresource, namespace, name, code, decision, reason';

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
    const rows = batch.map((r) => ({
      time: r.time.toISOString(),
      request_id: r.requestId,
      username: r.username,
      groups: r.groups,
      source_ip: r.sourceIp,
      user_agent: r.userAgent ?? null,
      verb: r.verb,
      api_group: r.apiGroup,
      resource: r.resource,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
      code: r.code,
      decision: r.decision,
      reason: r.reason ?? null,
    }));
    // One statement for the whole batch; the column list is the Prisma model's (prisma/schema.prisma, AuditEvent).
    this.flushing = this.store
      .sql(
        `INSERT INTO audit_events (${AUDIT_COLUMNS}) SELECT ${AUDIT_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(time timestamptz, request_id text,
         username text, groups text[], source_ip text, user_agent text, verb text, api_group text, resource text, subresource text, namespace text,
         name text, code int, decision text, reason text)`,
        JSON.stringify(rows),
      )
      .then(() => undefined)
      .catch((err: Error) => {
        // Never drop silently: say so on stderr with the count, so an operator can see the gap.
        log('error', 'audit write failed', { component: 'audit', lost: batch.length, error: err.message });
      });
    await this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}
