import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/LiveRefresh';
import { ResourceTable } from '@/components/ResourceTable';
import { eventTable } from '@/components/tables';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { type KubeEvent, nsPath } from '@/lib/k8s';
import { table } from '@/lib/load';

export const metadata: Metadata = { title: 'Events' };

export default async function Events({ params, searchParams }: { params: Promise<{ ns: string }>; searchParams: Promise<{ type?: string }> }) {
  const { ns } = await params;
  const { type } = await searchParams;
  const events = await table<KubeEvent>(nsPath('', 'events', ns));
  const rows = events.rows.filter((r) => !type || r.object.type === type);
  const base = `/ns/${encodeURIComponent(ns)}/events`;
  return (
    <>
      <PageHead title="Events" sub="What happened in this namespace, warnings first.">
        <LiveRefresh watch={[nsPath('', 'events', ns)]} />
      </PageHead>
      <nav className="tabs" aria-label="Filter events">
        <a href={base} aria-current={!type ? 'page' : undefined}>
          All
        </a>
        <a href={`${base}?type=Warning`} aria-current={type === 'Warning' ? 'page' : undefined}>
          Warnings
        </a>
        <a href={`${base}?type=Normal`} aria-current={type === 'Normal' ? 'page' : undefined}>
          Normal
        </a>
      </nav>
      {events.error && <ErrorNote>{events.error}</ErrorNote>}
      {!events.error && rows.length === 0 ? <Empty>No events.</Empty> : <ResourceTable data={{ ...events, rows }} {...eventTable()} />}
    </>
  );
}
