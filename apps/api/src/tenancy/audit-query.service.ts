// Reads the audit log for admins: filters on who, where, what and outcome, newest first, paged by id.
import { Injectable } from '@nestjs/common';
import { IdentityDb, type AuditEntry } from '@flotilla/identity';
import { badRequest } from '../k8s/status';

export interface AuditPage {
  items: AuditEntry[];
  continue?: string;
}

@Injectable()
export class AuditQueryService {
  constructor(private readonly db: IdentityDb) {}

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
    const rows = await this.db.findAuditEvents({
      username: q.user,
      namespace: q.namespace,
      verb: q.verb,
      resource: q.resource,
      decision: q.decision,
      since,
      until,
      beforeId: before,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ ...r, id: r.id.toString(), time: r.time.toISOString() })),
      ...(rows.length > limit ? { continue: page[page.length - 1].id.toString() } : {}),
    };
  }
}
