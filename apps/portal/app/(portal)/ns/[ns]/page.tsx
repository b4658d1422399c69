import type { Metadata } from 'next';
import Link from 'next/link';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead, UsageBar } from '@/components/ui';
import { percent } from '@/lib/format';
import { type Deployment, eventTime, type Job, type KEvent, nsPath, type Pod, podStatus, type ResourceQuota, type Service, sortEvents } from '@/lib/k8s';
import { list } from '@/lib/load';

type Props = { params: Promise<{ ns: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).ns };
}

export default async function NamespaceHome({ params }: Props) {
  const { ns } = await params;
  const [deps, svcs, pods, jobs, quotas, events] = await Promise.all([
    list<Deployment>(nsPath('apps', 'deployments', ns)),
    list<Service>(nsPath('', 'services', ns)),
    list<Pod>(nsPath('', 'pods', ns)),
    list<Job>(nsPath('batch', 'jobs', ns)),
    list<ResourceQuota>(nsPath('', 'resourcequotas', ns)),
    list<KEvent>(nsPath('', 'events', ns)),
  ]);
  const base = `/ns/${encodeURIComponent(ns)}`;
  const errors = [deps, svcs, pods, jobs, quotas, events].map((l) => l.error).filter(Boolean);
  const running = pods.items.filter((p) => p.status?.phase === 'Running').length;
  const recent = sortEvents(events.items).slice(0, 12);
  const warnings = events.items.filter((e) => e.type === 'Warning').length;
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
        <Link href={`${base}/deployments`} className="card" style={{ textDecoration: 'none', color: 'inherit' }}>
          <h3>Deployments</h3>
          <div className="stat">{deps.items.length}</div>
        </Link>
        <Link href={`${base}/pods`} className="card" style={{ textDecoration: 'none', color: 'inherit' }}>
          <h3>Pods</h3>
          <div className="stat">
            {running}/{pods.items.length}
          </div>
          <div className="sub">running</div>
        </Link>
        <Link href={`${base}/services`} className="card" style={{ textDecoration: 'none', color: 'inherit' }}>
          <h3>Services</h3>
          <div className="stat">{svcs.items.length}</div>
        </Link>
        <Link href={`${base}/events`} className="card" style={{ textDecoration: 'none', color: 'inherit' }}>
          <h3>Warnings</h3>
          <div className="stat" style={{ color: warnings ? 'var(--bad)' : undefined }}>
            {warnings}
          </div>
        </Link>
      </div>

      <h2>Deployments</h2>
      {deps.items.length === 0 ? (
        <Empty>
          No deployments yet. <Link href={`${base}/deployments/new`}>Deploy your first app</Link>.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Ready</th>
                <th scope="col">Image</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {deps.items.map((d) => (
                <tr key={d.metadata.name}>
                  <td>
                    <Link href={`${base}/deployments/${d.metadata.name}`}>{d.metadata.name}</Link>
                  </td>
                  <td>
                    {d.status?.readyReplicas ?? 0}/{d.spec.replicas ?? 1}
                  </td>
                  <td className="mono">{d.spec.template.spec.containers.map((c) => c.image).join(', ')}</td>
                  <td>
                    <Age ts={d.metadata.creationTimestamp} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
                  return <UsageBar key={`${q.metadata.name}/${k}`} label={k} used={used} hard={hard} pct={percent(used, hard)} />;
                }),
              )}
            </div>
          )}
        </section>
        <section>
          <h2>Jobs</h2>
          {jobs.items.length === 0 ? (
            <Empty>No jobs.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Succeeded</th>
                    <th scope="col">Active</th>
                    <th scope="col">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.items.map((j) => (
                    <tr key={j.metadata.name}>
                      <td>{j.metadata.name}</td>
                      <td>
                        {j.status?.succeeded ?? 0}/{j.spec.completions ?? 1}
                      </td>
                      <td>{j.status?.active ?? 0}</td>
                      <td>{j.status?.failed ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <h2>Recent events</h2>
      {recent.length === 0 ? (
        <Empty>Nothing has happened here yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Object</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((e) => (
                <tr key={e.metadata.name}>
                  <td>
                    <Badge value={e.type ?? 'Normal'} />
                  </td>
                  <td className="mono">
                    {e.involvedObject?.kind?.toLowerCase()}/{e.involvedObject?.name}
                  </td>
                  <td>{e.reason}</td>
                  <td>{e.message}</td>
                  <td>
                    <Age ts={eventTime(e)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pods.items.length > 0 && (
        <p className="sub" style={{ marginTop: 12 }}>
          Pods: {pods.items.map((p) => `${p.metadata.name} (${podStatus(p)})`).join(', ')}
        </p>
      )}
    </>
  );
}
