import type { Metadata } from 'next';
import Link from 'next/link';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { type Deployment, nsPath } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Deployments' };

export default async function Deployments({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const deps = await list<Deployment>(nsPath('apps', 'deployments', ns));
  const base = `/ns/${encodeURIComponent(ns)}/deployments`;
  return (
    <>
      <PageHead title="Deployments" sub="Apps kept running at the size you ask for, rolled out version by version.">
        <LiveRefresh watch={[nsPath('apps', 'deployments', ns)]} />
        <Link className="button" href={`/ns/${encodeURIComponent(ns)}/yaml?kind=Deployment`}>
          From YAML
        </Link>
        <Link className="button primary" href={`${base}/new`}>
          New deployment
        </Link>
      </PageHead>
      {deps.error && <ErrorNote>{deps.error}</ErrorNote>}
      {!deps.error && deps.items.length === 0 ? (
        <Empty>
          No deployments in {ns} yet. <Link href={`${base}/new`}>Deploy an app</Link>.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Ready</th>
                <th scope="col">Up to date</th>
                <th scope="col">Available</th>
                <th scope="col">Images</th>
                <th scope="col">State</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {deps.items.map((d) => {
                const want = d.spec.replicas ?? 1;
                const ready = d.status?.readyReplicas ?? 0;
                return (
                  <tr key={d.metadata.name}>
                    <td>
                      <Link href={`${base}/${d.metadata.name}`}>{d.metadata.name}</Link>
                    </td>
                    <td>
                      {ready}/{want}
                    </td>
                    <td>{d.status?.updatedReplicas ?? 0}</td>
                    <td>{d.status?.availableReplicas ?? 0}</td>
                    <td className="mono">{d.spec.template.spec.containers.map((c) => c.image).join(', ')}</td>
                    <td>{d.spec.paused ? <Badge value="Paused" tone="warn" /> : <Badge value={ready >= want ? 'Available' : 'Progressing'} />}</td>
                    <td>
                      <Age ts={d.metadata.creationTimestamp} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
