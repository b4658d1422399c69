import type { AuditRecord, AuditRow, IdentityDb } from '@flotilla/identity';
import { Metrics } from '../health/metrics';
import { AuditService } from './audit.service';

const record = (requestId: string, name = 'x'): AuditRecord => ({
  requestId,
  username: 'u',
  groups: [],
  sourceIp: '127.0.0.1',
  verb: 'delete',
  apiGroup: '',
  resource: 'configmaps',
  subresource: '',
  namespace: 'ns',
  name,
  code: 200,
  decision: 'allowed',
});

/** Stands in for Postgres' refusal of one row: any statement holding a row whose request id is "poison" fails. */
function dbRefusing(written: string[]): IdentityDb {
  return {
    insertAuditEvents: async (rows: AuditRow[]) => {
      if (rows.some((r) => r.request_id === 'poison')) throw new Error('unsupported Unicode escape sequence');
      written.push(...rows.map((r) => r.name ?? ''));
      return [];
    },
  } as unknown as IdentityDb;
}

describe('AuditService', () => {
  it('writes a failing batch record by record, losing only the record that cannot be stored, and counts it', async () => {
    const written: string[] = [];
    const metrics = new Metrics({ commits: 0, writes: 0, grouped: 0 } as never);
    const audit = new AuditService(dbRefusing(written), metrics);
    audit.record(record('a', 'first'));
    audit.record(record('poison'));
    audit.record(record('b', 'delete-me'));
    await audit.flush();
    expect(written).toEqual(['first', 'delete-me']);
    expect((await metrics.auditDropped.get()).values[0].value).toBe(1);
  });

  it('stores NUL and lone surrogates escaped rather than failing the batch', async () => {
    const seen: string[] = [];
    const db = { insertAuditEvents: async (rows: AuditRow[]) => void seen.push(JSON.stringify(rows)) } as unknown as IdentityDb;
    const audit = new AuditService(db, new Metrics({ commits: 0, writes: 0, grouped: 0 } as never));
    audit.record(record('a', 'a\u0000b'));
    audit.record(record('b', '\ud800'));
    await audit.flush();
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toMatch(/\\u0000|\\ud800/);
    expect((JSON.parse(seen[0]) as { name: string }[]).map((r) => r.name)).toEqual(['a\u2400b', '\ufffd']);
  });

  it('stores a record with fields a request did not fill, and every group whole (the pods benchmark crashed the API here)', async () => {
    const seen: string[] = [];
    const db = { insertAuditEvents: async (rows: AuditRow[]) => void seen.push(JSON.stringify(rows)) } as unknown as IdentityDb;
    const audit = new AuditService(db, new Metrics({ commits: 0, writes: 0, grouped: 0 } as never));
    audit.record({ ...record('a'), name: undefined, subresource: undefined, groups: ['system:authenticated', 'team-a', 'team-b'] } as unknown as AuditRecord);
    await audit.flush();
    const [row] = JSON.parse(seen[0]) as { name: string | null; subresource: string | null; groups: string[] }[];
    expect(row.name).toBeNull();
    expect(row.subresource).toBeNull();
    expect(row.groups).toEqual(['system:authenticated', 'team-a', 'team-b']);
  });
});
