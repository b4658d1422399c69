import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { eventTime, type KEvent, nsPath, sortEvents } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Events' };

export default async function Events({ params, searchParams }: { params: Promise<{ ns: string }>; searchParams: Promise<{ type?: string }> }) {
  const { ns } = await params;
  const { type } = await searchParams;
  const events = await list<KEvent>(nsPath('', 'events', ns));
  const items = sortEvents(events.items.filter((e) => !type || e.type === type));
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
      {!events.error && items.length === 0 ? (
        <Empty>No events.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">When</th>
                <th scope="col">Object</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
                <th scope="col">Count</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.metadata.name}>
                  <td>
                    <Badge value={e.type ?? 'Normal'} />
                  </td>
                  <td>
                    <Age ts={eventTime(e)} />
                  </td>
                  <td className="mono">
                    {e.involvedObject?.kind}/{e.involvedObject?.name}
                  </td>
                  <td>{e.reason}</td>
                  <td>{e.message}</td>
                  <td>{e.count ?? 1}</td>
                  <td>{e.source?.component}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
