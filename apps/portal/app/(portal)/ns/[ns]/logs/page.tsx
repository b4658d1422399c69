import type { Metadata } from 'next';
import Link from 'next/link';
import { LogViewer } from '@/components/LogViewer';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { containerNames, type Deployment, nameOf, nsPath, type Pod } from '@/lib/k8s';
import { list, one } from '@/lib/load';

export const metadata: Metadata = { title: 'Logs' };

export default async function Logs({
  params,
  searchParams,
}: {
  params: Promise<{ ns: string }>;
  searchParams: Promise<{ pod?: string; deployment?: string; container?: string }>;
}) {
  const { ns } = await params;
  const q = await searchParams;
  const base = `/ns/${encodeURIComponent(ns)}`;
  if (!q.pod && !q.deployment) {
    const [deps, pods] = await Promise.all([list<Deployment>(nsPath('apps', 'deployments', ns)), list<Pod>(nsPath('', 'pods', ns))]);
    return (
      <>
        <PageHead title="Logs" sub="Choose a deployment (all its pods) or one pod." />
        {(deps.error || pods.error) && <ErrorNote>{deps.error ?? pods.error}</ErrorNote>}
        {deps.items.length + pods.items.length === 0 && <Empty>Nothing is running in {ns}.</Empty>}
        {deps.items.length > 0 && <h2>Deployments</h2>}
        <ul>
          {deps.items.map((d) => (
            <li key={d.metadata.name}>
              <Link href={`${base}/logs?deployment=${encodeURIComponent(nameOf(d))}`}>{d.metadata.name}</Link>
            </li>
          ))}
        </ul>
        {pods.items.length > 0 && <h2>Pods</h2>}
        <ul>
          {pods.items.map((p) => (
            <li key={p.metadata.name}>
              <Link href={`${base}/logs?pod=${encodeURIComponent(nameOf(p))}`}>{p.metadata.name}</Link>
            </li>
          ))}
        </ul>
      </>
    );
  }
  let containers: string[] = [];
  let main = '';
  let error: string | undefined;
  if (q.pod) {
    const p = await one<Pod>(nsPath('', 'pods', ns, q.pod));
    if (p.obj) [containers, main] = [containerNames(p.obj.spec), p.obj.spec.containers[0]?.name ?? ''];
    error = p.error;
  } else if (q.deployment) {
    const d = await one<Deployment>(nsPath('apps', 'deployments', ns, q.deployment));
    if (d.obj) [containers, main] = [containerNames(d.obj.spec.template.spec), d.obj.spec.template.spec.containers[0]?.name ?? ''];
    error = d.error;
  }
  const what = q.pod ? `pod ${q.pod}` : `every pod of ${q.deployment}`;
  const initial = q.container && containers.includes(q.container) ? q.container : main;
  return (
    <>
      <PageHead title="Logs" sub={`Following ${what} in ${ns}.`}>
        <Link className="button" href={q.pod ? `${base}/pods/${encodeURIComponent(q.pod)}` : `${base}/deployments/${encodeURIComponent(q.deployment ?? '')}`}>
          Back to {q.pod ? 'pod' : 'deployment'}
        </Link>
      </PageHead>
      {error ? <ErrorNote>{error}</ErrorNote> : <LogViewer ns={ns} pod={q.pod} deployment={q.deployment} containers={containers} initial={initial} />}
    </>
  );
}
