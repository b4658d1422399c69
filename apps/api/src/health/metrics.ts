// Prometheus metrics: request latency by route and code, watch counts, store version.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackupStatus } from '@flotilla/backup';
import type { ComponentRecord } from '@flotilla/queue';
import type { CommitStats } from '@flotilla/store';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Histogram({
    name: 'flotilla_api_request_duration_seconds',
    help: 'API request latency by verb, resource and HTTP code (watch streams are counted when they end).',
    labelNames: ['verb', 'resource', 'code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({ name: 'flotilla_api_watchers', help: 'Open watch streams.', registers: [this.registry] });
  readonly cacheRv = new Gauge({
    name: 'flotilla_store_cache_resource_version',
    help: 'Newest resourceVersion applied to the watch cache.',
    registers: [this.registry],
  });

  private readonly componentRestarts = new Counter({
    name: 'flotilla_component_restarts_total',
    help: 'Restarts of each component after an exit it did not ask for, as its supervisor counted them (a crash loop climbs).',
    labelNames: ['component', 'host'],
    registers: [this.registry],
  });
  private readonly componentStarts = new Counter({
    name: 'flotilla_component_starts_total',
    help: 'Starts recorded by each component on each host, supervised or not.',
    labelNames: ['component', 'host'],
    registers: [this.registry],
  });

  /** Replaces the component series with what the components' own records say (read at each scrape). */
  setComponents(records: ComponentRecord[]): void {
    this.componentRestarts.reset();
    this.componentStarts.reset();
    for (const r of records) {
      this.componentRestarts.inc({ component: r.component, host: r.host }, r.restarts);
      this.componentStarts.inc({ component: r.component, host: r.host }, r.starts);
    }
  }

  readonly auditDropped = new Counter({
    name: 'flotilla_audit_dropped_total',
    help: 'Audit records that could not be written even alone (each is also logged); anything but 0 is a gap in the audit log.',
    registers: [this.registry],
  });

  /**
   * `commits`: the store's counters, read at each scrape (commits, the objects they wrote, group-committed transactions).
   * `backups`: the newest platform backup's outcome (libs/backup), read at each scrape.
   */
  constructor(commits: CommitStats, backups?: () => Promise<BackupStatus>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'flotilla_api_' });
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter('flotilla_store_commits_total', 'Commit statements that wrote objects (a group commit is one).', () => commits.commits);
    counter('flotilla_store_committed_objects_total', 'Objects written by those commits; divided by commits, the mean batch.', () => commits.writes);
    counter(
      'flotilla_store_group_committed_transactions_total',
      'Write-only transactions that shared a group commit or went alone through it.',
      () => commits.grouped,
    );
    if (backups) {
      // Absent until a backup ever ran or verified; an alert rule fires on the age of the first or a 0 in the second.
      new Gauge({
        name: 'flotilla_backup_last_verified_timestamp',
        help: 'Unix time of the newest platform backup that was restored and verified (libs/backup).',
        registers: [this.registry],
        async collect() {
          this.reset();
          const s = await backups().catch(() => undefined);
          if (s?.lastVerified !== undefined) this.set(s.lastVerified);
        },
      });
      new Gauge({
        name: 'flotilla_backup_last_result',
        help: 'The newest platform backup: 1 when it was verified, 0 when it failed or did not verify (label result says which).',
        labelNames: ['result'],
        registers: [this.registry],
        async collect() {
          this.reset();
          const s = await backups().catch(() => undefined);
          if (s?.lastResult !== undefined) this.set({ result: s.lastResult }, s.lastResult === 'verified' ? 1 : 0);
        },
      });
    }
  }
}
