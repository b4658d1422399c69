import type { Metadata } from 'next';
import Link from 'next/link';
import { LiveRefresh } from '@/components/LiveRefresh';
import { ResourceTable } from '@/components/ResourceTable';
import { deploymentTable } from '@/components/tables';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { type Deployment, nsPath } from '@/lib/k8s';
import { table } from '@/lib/load';

export const metadata: Metadata = { title: 'Deployments' };

export default async function Deployments({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const deps = await table<Deployment>(nsPath('apps', 'deployments', ns));
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
      {!deps.error && deps.rows.length === 0 ? (
        <Empty>
          No deployments in {ns} yet. <Link href={`${base}/new`}>Deploy an app</Link>.
        </Empty>
      ) : (
        <ResourceTable data={deps} {...deploymentTable(ns)} />
      )}
    </>
  );
}
