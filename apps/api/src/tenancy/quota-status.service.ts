// Keeps ResourceQuota status current after what admission does not see: deletes, phase changes and
// new or edited quotas. Level-triggered: a change only marks its namespace; the sync re-counts
// usage under the quota row lock, exactly as admission does, and writes status only when it differs.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { resourceFor, ResourceType } from '@flotilla/resources';
import { deepEqual, type Store } from '@flotilla/store';
import { STORE } from '../tokens';
import { formatUsage, usageInTx } from '@flotilla/admission';

const QUOTAS = 'core/resourcequotas';

@Injectable()
export class QuotaStatusService implements OnApplicationBootstrap, OnModuleDestroy {
  private dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stop?: () => void;
  private running = false;

  constructor(@Inject(STORE) private readonly store: Store) {}

  onApplicationBootstrap(): void {
    this.stop = this.store.cache.onChange((c) => {
      if (!c.namespace || this.store.cache.count(QUOTAS, c.namespace) === 0) return;
      if (c.resource === QUOTAS) {
        const spec = (c.obj.spec ?? {}) as { hard?: unknown };
        const status = (c.obj.status ?? {}) as { hard?: unknown };
        if (c.type !== 'DELETED' && !deepEqual(spec.hard ?? {}, status.hard ?? {})) this.mark(c.namespace);
        return;
      }
      // Admission already counted creates; deletes and pods finishing free quota.
      if (c.type === 'DELETED' || (c.resource === 'core/pods' && c.type === 'MODIFIED')) this.mark(c.namespace);
    });
    for (const e of this.store.cache.list(QUOTAS)) this.dirty.add(e.namespace);
    this.schedule();
  }

  onModuleDestroy(): void {
    this.stop?.();
    if (this.timer) clearTimeout(this.timer);
  }

  private mark(ns: string): void {
    this.dirty.add(ns);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.dirty.size === 0) return;
    this.timer = setTimeout(() => void this.flush(), 200);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.running) return this.schedule();
    this.running = true;
    const namespaces = [...this.dirty];
    this.dirty.clear();
    try {
      for (const ns of namespaces) await this.sync(ns).catch(() => this.dirty.add(ns));
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /** Recounts every quota of a namespace and writes status where it changed. */
  async sync(namespace: string): Promise<void> {
    const quotaType = resourceFor('', 'v1', 'resourcequotas') as ResourceType;
    const names = this.store.cache
      .list(QUOTAS, namespace)
      .map((e) => e.name)
      .sort();
    await this.store.transaction(async (tx) => {
      for (const name of names) {
        const quota = await tx.read(quotaType, namespace, name);
        const hard = ((quota?.spec ?? {}) as { hard?: Record<string, string | number> }).hard;
        if (!quota || !hard) continue;
        const status = { hard: { ...hard }, used: formatUsage(hard, await usageInTx(tx, namespace, hard)) };
        if (deepEqual(status, quota.status ?? {})) continue;
        await this.store.updateIn(tx, quotaType, { ...quota, status }, namespace, 'status');
      }
    });
  }
}
