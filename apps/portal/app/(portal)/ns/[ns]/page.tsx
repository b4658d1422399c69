import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { LiveRefresh } from '@/components/LiveRefresh';
import { ResourceTable } from '@/components/ResourceTable';
import { deploymentTable, eventTable } from '@/components/tables';
import { Badge, Empty, ErrorNote, PageHead, UsageBar } from '@/components/ui';
import { percent } from '@/lib/format';
import {
  type Deployment,
  isActiveWarning,
  type Job,
  type KubeEvent,
  nsPath,
  type Pod,
  type ResourceQuota,
  type Service,
  WARNING_WINDOW_MINUTES,
} from '@/lib/k8s';
import { cellOf, list, table } from '@/lib/load';

type Props = { params: Promise<{ ns: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).ns };
}

/** A count that leads to its list. */
function StatCard({ href, title, stat, sub, bad }: { href: string; title: string; stat: ReactNode; sub?: string; bad?: boolean }) {
  return (
    <Link href={href} className="card" style={{ textDecoration: 'none', color: 'inherit' }}>
      <h3>{title}</h3>
      <div className="stat" style={{ color: bad ? 'var(--bad)' : undefined }}>
        {stat}
      </div>
      {sub && <div className="sub">{sub}</div>}
    </Link>
  );
}

export default async function NamespaceHome({ params }: Props) {
  const { ns } = await params;
  const [deps, svcs, pods, jobs, quotas, events] = await Promise.all([
    table<Deployment>(nsPath('apps', 'deployments', ns)),
    list<Service>(nsPath('', 'services', ns)),
    table<Pod>(nsPath('', 'pods', ns)),
    table<Job>(nsPath('batch', 'jobs', ns)),
    list<ResourceQuota>(nsPath('', 'resourcequotas', ns)),
    table<KubeEvent>(nsPath('', 'events', ns)),
  ]);
  const base = `/ns/${encodeURIComponent(ns)}`;
  const errors = [deps, svcs, pods, jobs, quotas, events].map((l) => l.error).filter(Boolean);
  // A pod on its way out (deletionTimestamp set) still reports phase Running until its containers stop.
  const running = pods.rows.filter((r) => r.object.status?.phase === 'Running' && !r.object.metadata.deletionTimestamp).length;
  const now = Date.now();
  const warnings = events.rows.filter((r) => isActiveWarning(r.object, now)).length;
  return (
    <>
      <PageHead title={ns} sub="Everything running in this namespace, updated live.">
        <LiveRefresh watch={['deployments', 'pods', 'services', 'events', 'resourcequotas'].map((r) => nsPath(r === 'deployments' ? 'apps' : '', r, ns))} />
        <Link className="button primary" href={`${base}/deployments/new`}>
          Deploy an app
        </Link>
      </PageHead>
      {errors.length > 0 && <ErrorNote>{errors[0]}</ErrorNote>}
      <div className="grid">
        <StatCard href={`${base}/deployments`} title="Deployments" stat={deps.rows.length} />
        <StatCard href={`${base}/pods`} title="Pods" stat={`${running}/${pods.rows.length}`} sub="running" />
        <StatCard href={`${base}/services`} title="Services" stat={svcs.items.length} />
        <StatCard href={`${base}/events`} title="Warnings" stat={warnings} bad={warnings > 0} sub={`in the last ${WARNING_WINDOW_MINUTES} minutes`} />
      </div>

      <h2>Deployments</h2>
      {deps.rows.length === 0 ? (
        <Empty>
          No deployments yet. <Link href={`${base}/deployments/new`}>Deploy your first app</Link>.
        </Empty>
      ) : (
        <ResourceTable data={deps} {...deploymentTable(ns)} />
      )}

      <div className="cols" style={{ gap: 16 }}>
        <section>
          <h2>Quota</h2>
          {quotas.items.length === 0 ? (
            <Empty>No quota is set for this namespace.</Empty>
          ) : (
            <div className="card">
              {quotas.items.flatMap((q) =>
                Object.entries(q.status?.hard ?? q.spec?.hard ?? {}).map(([k, hard]) => {
                  const used = q.status?.used?.[k] ?? '0';
                  return <UsageBar key={`${q.metadata.name}/${k}`} label={k} used={String(used)} hard={String(hard)} pct={percent(used, hard)} />;
                }),
              )}
            </div>
          )}
        </section>
        <section>
          <h2>Jobs</h2>
          {jobs.rows.length === 0 ? <Empty>No jobs.</Empty> : <ResourceTable data={jobs} cells={{ Status: (cell) => <Badge value={String(cell)} /> }} />}
        </section>
      </div>

      <h2>Recent events</h2>
      {events.rows.length === 0 ? <Empty>Nothing has happened here yet.</Empty> : <ResourceTable data={events} {...eventTable((rows) => rows.slice(0, 12))} />}
      {pods.rows.length > 0 && (
        <p className="sub" style={{ marginTop: 12 }}>
          Pods: {pods.rows.map((r) => `${r.object.metadata.name} (${cellOf(pods, r, 'Status')})`).join(', ')}
        </p>
      )}
    </>
  );
}
