import type { Metadata } from 'next';
import Link from 'next/link';
import { createDeployment } from '@/app/actions/create';
import { DeploymentForm } from '@/components/DeploymentForm';
import { PageHead } from '@/components/ui';

export const metadata: Metadata = { title: 'Deploy an app' };

export default async function NewDeployment({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  return (
    <>
      <PageHead title="Deploy an app" sub={`Into ${ns}. Fill in what you know; the rest has sensible defaults.`}>
        <Link className="button" href={`/ns/${encodeURIComponent(ns)}/yaml?kind=Deployment`}>
          From YAML instead
        </Link>
      </PageHead>
      <DeploymentForm action={createDeployment.bind(null, ns)} />
    </>
  );
}
