import type { Metadata } from 'next';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { LiveRefresh } from '@/components/LiveRefresh';
import { ResourceTable } from '@/components/ResourceTable';
import { Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { portalConfig } from '@/lib/config';
import { type Endpoints, nsPath, type Service } from '@/lib/k8s';
import { list, table } from '@/lib/load';
import { type IngressWithStatus, urlsOf } from '@/lib/service-urls';

export const metadata: Metadata = { title: 'Services' };

export default async function Services({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const [svcs, eps, ings] = await Promise.all([
    table<Service>(nsPath('', 'services', ns)),
    list<Endpoints>(nsPath('', 'endpoints', ns)),
    list<IngressWithStatus>(nsPath('networking.k8s.io', 'ingresses', ns)),
  ]);
  const { publicHost: host, ingressUrl } = portalConfig();
  const epBy = new Map(eps.items.map((e) => [e.metadata.name, e]));
  return (
    <>
      <PageHead title="Services" sub="Stable names and addresses in front of your pods.">
        <LiveRefresh watch={[nsPath('', 'services', ns), nsPath('', 'endpoints', ns)]} />
      </PageHead>
      {svcs.error && <ErrorNote>{svcs.error}</ErrorNote>}
      {!svcs.error && svcs.rows.length === 0 ? (
        <Empty>No services in {ns}. Tick “Create a Service” when you deploy an app to get one.</Empty>
      ) : (
        <ResourceTable
          data={svcs}
          // What reaches a Service from outside (load-balancer addresses included) is under Open.
          hide={['External-IP']}
          mono={['Cluster-IP', 'Port(s)']}
          after={[
            {
              header: 'Open',
              cell: (s) => {
                const urls = urlsOf(s, ings.items, host, ingressUrl);
                return urls.length === 0 ? (
                  <span className="sub">only from inside the namespace</span>
                ) : (
                  urls.map((u) => (
                    <div key={u}>
                      <a href={u} target="_blank" rel="noreferrer">
                        {u}
                      </a>
                    </div>
                  ))
                );
              },
            },
            {
              header: 'From your pods',
              mono: true,
              // Pods reach a Service by name; a headless one names its pods directly.
              cell: (s) => (s.spec.type === 'ExternalName' ? '–' : s.spec.clusterIP === 'None' ? `${s.metadata.name} (headless)` : `http://${s.metadata.name}`),
            },
            {
              header: 'Endpoints',
              cell: (s) => {
                const ep = epBy.get(s.metadata.name);
                const ready = (ep?.subsets ?? []).flatMap((x) => x.addresses ?? []);
                const notReady = (ep?.subsets ?? []).flatMap((x) => x.notReadyAddresses ?? []);
                return (
                  <>
                    <Badge value={`${ready.length} ready`} tone={ready.length ? 'ok' : 'warn'} />{' '}
                    {notReady.length > 0 && <Badge value={`${notReady.length} not ready`} tone="warn" />}
                    <div className="sub mono">{ready.map((a) => a.targetRef?.name ?? a.ip).join(', ')}</div>
                  </>
                );
              },
            },
            {
              header: <span className="skip">Actions</span>,
              cell: (s) => (
                <ActionButton
                  action={deleteObject.bind(null, '', 'services', ns, s.metadata.name ?? '', undefined)}
                  label="Delete"
                  danger
                  confirm={`Delete service ${s.metadata.name}?`}
                />
              ),
            },
          ]}
        />
      )}
    </>
  );
}
