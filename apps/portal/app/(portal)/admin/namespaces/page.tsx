import type { Metadata } from 'next';
import Link from 'next/link';
import { createNamespace, deleteNamespace } from '@/app/actions/admin';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { DataTable } from '@/components/DataTable';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Badge, Empty, ErrorNote, PageHead, UsageBar } from '@/components/ui';
import { get } from '@/lib/api';
import { percent } from '@/lib/format';

export const metadata: Metadata = { title: 'Namespaces' };

interface NsView {
  name: string;
  phase: string;
  labels: Record<string, string>;
  objects: number;
  quotas: { name: string; hard: Record<string, string>; used: Record<string, string> }[];
}

export default async function AdminNamespaces() {
  const r = await get<{ items: NsView[] }>('/flotilla/v1/admin/namespaces');
  const items = r.data?.items ?? [];
  return (
    <>
      <PageHead title="Namespaces" sub="One per team or app: its own quota and its own people.">
        <LiveRefresh watch={['/api/v1/namespaces', '/api/v1/resourcequotas']} />
      </PageHead>
      <ActionForm
        action={createNamespace}
        legend="New namespace"
        submit="Create namespace"
        fields={[
          { name: 'name', label: 'Name', required: true, placeholder: 'team-a' },
          { name: 'labels', label: 'Labels', hint: 'key=value, separated by commas', placeholder: 'team=a' },
          { name: 'cpu', label: 'CPU quota (requests)', placeholder: '4' },
          { name: 'memory', label: 'Memory quota (requests)', placeholder: '8Gi' },
          { name: 'pods', label: 'Pod quota', placeholder: '50' },
          { name: 'adminUsers', label: 'Admins (users)', hint: 'Manage everything in it, including access' },
          { name: 'editUsers', label: 'Editors (users)', hint: 'Deploy and change apps' },
          { name: 'viewUsers', label: 'Viewers (users)', hint: 'Read only, no Secrets' },
          { name: 'editGroups', label: 'Editor groups' },
        ]}
      />
      {!r.ok && <ErrorNote>{r.error?.message}</ErrorNote>}
      {r.ok && items.length === 0 ? (
        <Empty>No namespaces yet.</Empty>
      ) : (
        <DataTable
          rows={items}
          rowKey={(n) => n.name}
          columns={[
            { header: 'Name', cell: (n) => <Link href={`/ns/${encodeURIComponent(n.name)}`}>{n.name}</Link> },
            {
              header: 'State',
              cell: (n) => (
                <>
                  <Badge value={n.phase} />
                  {n.phase === 'Terminating' && <div className="sub">{n.objects} objects left</div>}
                </>
              ),
            },
            {
              header: 'Labels',
              mono: true,
              cell: (n) =>
                Object.entries(n.labels)
                  .filter(([k]) => k !== 'kubernetes.io/metadata.name')
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', '),
            },
            { header: 'Objects', cell: (n) => n.objects },
            {
              header: 'Usage against quota',
              minWidth: 200,
              cell: (n) =>
                n.quotas.length === 0 ? (
                  <span className="sub">no quota</span>
                ) : (
                  n.quotas.flatMap((q) =>
                    Object.entries(q.hard).map(([k, hard]) => (
                      <UsageBar key={`${q.name}/${k}`} label={k} used={q.used[k] ?? '0'} hard={hard} pct={percent(q.used[k], hard)} />
                    )),
                  )
                ),
            },
            {
              header: <span className="skip">Actions</span>,
              cell: (n) =>
                n.phase !== 'Terminating' && (
                  <ActionButton action={deleteNamespace.bind(null, n.name)} label="Delete" danger confirm={`Delete ${n.name} and everything in it?`} />
                ),
            },
          ]}
        />
      )}
    </>
  );
}
