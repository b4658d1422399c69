import type { Metadata } from 'next';
import Link from 'next/link';
import { revealSecret } from '@/app/actions/secrets';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { LiveRefresh } from '@/components/LiveRefresh';
import { SecretReveal } from '@/components/SecretReveal';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { type ConfigMap, nameOf, nsPath, type Secret } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Config & Secrets' };

export default async function Config({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const [cms, secrets] = await Promise.all([list<ConfigMap>(nsPath('', 'configmaps', ns)), list<Secret>(nsPath('', 'secrets', ns))]);
  const base = `/ns/${encodeURIComponent(ns)}`;
  return (
    <>
      <PageHead title="Config & Secrets" sub="Settings your apps read as environment variables or files.">
        <LiveRefresh watch={[nsPath('', 'configmaps', ns), nsPath('', 'secrets', ns)]} />
        <Link className="button" href={`${base}/yaml?kind=ConfigMap`}>
          New ConfigMap
        </Link>
        <Link className="button" href={`${base}/yaml?kind=Secret`}>
          New Secret
        </Link>
      </PageHead>
      <h2>ConfigMaps</h2>
      {cms.error && <ErrorNote>{cms.error}</ErrorNote>}
      {!cms.error && cms.items.length === 0 && <Empty>No ConfigMaps.</Empty>}
      {cms.items.map((c) => (
        <section key={c.metadata.name} className="card" style={{ marginBottom: 10 }} aria-label={`ConfigMap ${c.metadata.name}`}>
          <div className="row between">
            <h3>{c.metadata.name}</h3>
            <div className="row">
              <Link className="button" href={`${base}/yaml?kind=ConfigMap&name=${encodeURIComponent(nameOf(c))}`}>
                Edit
              </Link>
              <ActionButton
                action={deleteObject.bind(null, '', 'configmaps', ns, nameOf(c), undefined)}
                label="Delete"
                danger
                confirm={`Delete ${c.metadata.name}?`}
              />
            </div>
          </div>
          <dl className="kv">
            {Object.entries(c.data ?? {}).map(([k, v]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt className="mono">{k}</dt>
                <dd className="secret-value">{v.length > 400 ? `${v.slice(0, 400)}…` : v}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <h2>Secrets</h2>
      {secrets.error && <ErrorNote>{secrets.status === 403 ? 'Your role may not read Secrets in this namespace.' : secrets.error}</ErrorNote>}
      {!secrets.error && secrets.items.length === 0 && <Empty>No Secrets.</Empty>}
      {secrets.items.map((s) => (
        <section key={s.metadata.name} className="card" style={{ marginBottom: 10 }} aria-label={`Secret ${s.metadata.name}`}>
          <div className="row between">
            <h3>
              {s.metadata.name} <span className="sub">{s.type}</span>
            </h3>
            <ActionButton
              action={deleteObject.bind(null, '', 'secrets', ns, nameOf(s), undefined)}
              label="Delete"
              danger
              confirm={`Delete ${s.metadata.name}?`}
            />
          </div>
          <SecretReveal keys={Object.keys(s.data ?? {})} reveal={revealSecret.bind(null, ns, nameOf(s))} />
        </section>
      ))}
    </>
  );
}
