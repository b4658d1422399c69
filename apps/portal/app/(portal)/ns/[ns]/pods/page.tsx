import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/LiveRefresh';
import { ResourceTable } from '@/components/ResourceTable';
import { podTable } from '@/components/tables';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { nsPath, type Pod } from '@/lib/k8s';
import { table } from '@/lib/load';

export const metadata: Metadata = { title: 'Pods' };

export default async function Pods({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const pods = await table<Pod>(nsPath('', 'pods', ns));
  return (
    <>
      <PageHead title="Pods" sub="The running copies of your apps.">
        <LiveRefresh watch={[nsPath('', 'pods', ns)]} />
      </PageHead>
      {pods.error && <ErrorNote>{pods.error}</ErrorNote>}
      {!pods.error && pods.rows.length === 0 ? <Empty>No pods in {ns}.</Empty> : <ResourceTable data={pods} {...podTable(ns)} />}
    </>
  );
}
