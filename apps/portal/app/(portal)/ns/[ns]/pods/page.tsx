import type { Metadata } from 'next';
import Link from 'next/link';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { isReady, nsPath, type Pod, podStatus, restarts } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Pods' };

export default async function Pods({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const pods = await list<Pod>(nsPath('', 'pods', ns));
  const base = `/ns/${encodeURIComponent(ns)}`;
  return (
    <>
      <PageHead title="Pods" sub="The running copies of your apps.">
        <LiveRefresh watch={[nsPath('', 'pods', ns)]} />
      </PageHead>
      {pods.error && <ErrorNote>{pods.error}</ErrorNote>}
      {!pods.error && pods.items.length === 0 ? (
        <Empty>No pods in {ns}.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Ready</th>
                <th scope="col">Status</th>
                <th scope="col">Restarts</th>
                <th scope="col">Node</th>
                <th scope="col">IP</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {pods.items.map((p) => (
                <tr key={p.metadata.name}>
                  <td>
                    <Link href={`${base}/pods/${p.metadata.name}`}>{p.metadata.name}</Link>
                  </td>
                  <td>{isReady(p) ? <Badge value="Ready" /> : <Badge value="Not ready" tone="warn" />}</td>
                  <td>
                    <Badge value={podStatus(p)} />
                  </td>
                  <td>{restarts(p)}</td>
                  <td>{p.spec.nodeName ?? '–'}</td>
                  <td className="mono">{p.status?.podIP ?? '–'}</td>
                  <td>
                    <Age ts={p.metadata.creationTimestamp} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
