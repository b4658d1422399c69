import type { AuditEntry } from '@flotilla/identity';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTable } from '@/components/DataTable';
import { Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { get } from '@/lib/api';

export const metadata: Metadata = { title: 'Audit log' };

const FILTERS = ['user', 'namespace', 'verb', 'resource', 'decision', 'since', 'until'] as const;

export default async function Audit({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const q = await searchParams;
  const params = new URLSearchParams({ limit: '100' });
  for (const f of [...FILTERS, 'continue'] as const) if (q[f]) params.set(f, q[f] as string);
  const r = await get<{ items: AuditEntry[]; continue?: string }>(`/flotilla/v1/admin/audit?${params}`);
  const next = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'continue'));
  if (r.data?.continue) next.set('continue', r.data.continue);
  return (
    <>
      <PageHead title="Audit log" sub="Every change and every refusal, newest first." />
      <form method="get" className="card" style={{ marginBottom: 12 }} aria-label="Filter the audit log">
        <div className="cols">
          {FILTERS.map((f) => (
            <div className="field" key={f}>
              <label htmlFor={`a-${f}`}>{f[0].toUpperCase() + f.slice(1)}</label>
              {f === 'decision' ? (
                <select id={`a-${f}`} name={f} defaultValue={q[f] ?? ''}>
                  <option value="">any</option>
                  <option value="allowed">allowed</option>
                  <option value="denied">denied</option>
                  <option value="error">error</option>
                </select>
              ) : (
                <input id={`a-${f}`} name={f} defaultValue={q[f] ?? ''} placeholder={f === 'since' || f === 'until' ? '2026-11-23T10:00:00Z' : undefined} />
              )}
            </div>
          ))}
        </div>
        <div className="row">
          <button type="submit" className="primary">
            Filter
          </button>
          <Link href="/admin/audit" className="button">
            Clear
          </Link>
        </div>
      </form>
      {!r.ok && <ErrorNote>{r.error?.message}</ErrorNote>}
      {r.ok && (r.data?.items ?? []).length === 0 ? (
        <Empty>No audit events match.</Empty>
      ) : (
        <DataTable
          rows={r.data?.items ?? []}
          rowKey={(e) => String(e.id)}
          columns={[
            { header: 'Time', mono: true, cell: (e) => e.time.replace('T', ' ').slice(0, 19) },
            { header: 'User', cell: (e) => e.username },
            { header: 'Verb', cell: (e) => e.verb },
            {
              header: 'Resource',
              mono: true,
              cell: (e) => `${e.apiGroup ? `${e.apiGroup}/` : ''}${e.resource}${e.subresource ? `/${e.subresource}` : ''}`,
            },
            { header: 'Namespace', cell: (e) => e.namespace || '–' },
            { header: 'Name', cell: (e) => e.name || '–' },
            {
              header: 'Decision',
              cell: (e) => (
                <>
                  <Badge value={e.decision} tone={e.decision === 'allowed' ? 'ok' : 'bad'} />
                  {e.reason && <div className="sub">{e.reason}</div>}
                </>
              ),
            },
            { header: 'Code', cell: (e) => e.code },
          ]}
        />
      )}
      {r.data?.continue && (
        <p>
          <Link href={`/admin/audit?${next}`}>Older events →</Link>
        </p>
      )}
    </>
  );
}
