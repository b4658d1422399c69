// Reads the audit log for admins: filters on who, where, what and outcome, newest first, paged by id.
import { Inject, Injectable } from '@nestjs/common';
import type { Store } from '@flotilla/store';
import { badRequest } from '../k8s/status';
import { STORE } from '../tokens';

export interface AuditPage {
  items: Record<string, unknown>[];
  continue?: string;
}

@Injectable()
export class AuditQueryService {
  constructor(@Inject(STORE) private readonly store: Store) {}

  async query(q: Record<string, string | undefined>): Promise<AuditPage> {
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be an integer from 1 to 1000');
    const time = (k: 'since' | 'until') => {
      if (!q[k]) return undefined;
      const d = new Date(q[k] as string);
      if (Number.isNaN(d.getTime())) throw badRequest(`${k} must be an RFC 3339 time`);
      return d;
    };
    const since = time('since');
    const until = time('until');
    let before: bigint | undefined;
    if (q.continue) {
      if (!/^\d{1,19}$/.test(q.continue)) throw badRequest('invalid continue token');
      before = BigInt(q.continue);
    }
    if (q.decision && !['allowed', 'denied', 'error'].includes(q.decision)) throw badRequest('decision must be allowed, denied or error');
    const rows = await this.store.db.auditEvent.findMany({
      where: {
        ...(q.user ? { username: q.user } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.verb ? { verb: q.verb } : {}),
        ...(q.resource ? { resource: q.resource } : {}),
        ...(q.decision ? { decision: q.decision } : {}),
        ...(since || until ? { time: { ...(since ? { gte: since } : {}), ...(until ? { lt: until } : {}) } } : {}),
        ...(before !== undefined ? { id: { lt: before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ ...r, id: r.id.toString(), time: r.time.toISOString() })),
      ...(rows.length > limit ? { continue: page[page.length - 1].id.toString() } : {}),
    };
  }
}
