// The audit log: every mutation and every denied request, written to Postgres in small batches off the
// request path (a slow audit insert must not slow the API; a crash loses at most one batch). Every string
// is made storable first (Postgres refuses NUL in text, and JSON with lone surrogates), and a batch that
// still fails is written record by record, so one odd request never costs the others their records.
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { IdentityDb, type AuditRecord, type AuditRow } from '@flotilla/identity';
import { Metrics } from '../health/metrics';
import { storableText } from '../k8s/text';
import { log } from '../log';

@Injectable()
export class AuditService implements OnModuleDestroy {
  private pending: (AuditRecord & { time: Date })[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly db: IdentityDb,
    private readonly metrics: Metrics,
  ) {}

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
    const rows = batch.map(rowOf);
    this.flushing = this.db
      .insertAuditEvents(rows)
      .catch(async (err: Error) => {
        // The batch as a whole failed: try each record alone, so only a record that cannot be stored is lost.
        log.warn('audit batch write failed; writing its records one by one', { component: 'audit', records: rows.length, error: err.message });
        let lost = 0;
        for (const row of rows) {
          await this.db.insertAuditEvents([row]).catch((e: Error) => {
            lost++;
            log.error('audit record lost', { component: 'audit', requestId: row.request_id, verb: row.verb, error: e.message });
          });
        }
        if (lost) this.metrics.auditDropped.inc(lost);
      })
      .catch((err: Error) => log.error('audit write failed', { component: 'audit', error: err.message }));
    await this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}

function rowOf(r: AuditRecord & { time: Date }): AuditRow {
  // A field a request did not fill (no name on a collection, no subresource) is stored as NULL.
  const t = (s: string | undefined | null): string | null => (typeof s === 'string' ? storableText(s) : null);
  return {
    time: r.time.toISOString(),
    request_id: t(r.requestId),
    username: t(r.username),
    groups: (r.groups ?? []).map((g) => t(g) ?? ''),
    source_ip: t(r.sourceIp),
    user_agent: t(r.userAgent),
    verb: t(r.verb),
    api_group: t(r.apiGroup),
    resource: t(r.resource),
    subresource: t(r.subresource),
    namespace: t(r.namespace),
    name: t(r.name),
    code: r.code,
    decision: r.decision,
    reason: t(r.reason),
  };
}
