import type { Metadata } from 'next';
import Link from 'next/link';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { DataTable } from '@/components/DataTable';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { podSummary } from '@flotilla/resources';
import { type ContainerStatus, eventTime, type KubeEvent, nsPath, type Pod, type ReplicaSet, sortEvents } from '@/lib/k8s';
import { list, one } from '@/lib/load';

type Props = { params: Promise<{ ns: string; name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).name };
}

function stateOf(s: ContainerStatus['state']): { label: string; detail?: string } {
  if (s?.running) return { label: 'Running', detail: s.running.startedAt && `since ${s.running.startedAt}` };
  if (s?.terminated)
    return {
      label: s.terminated.reason ?? 'Terminated',
      detail: `exit code ${s.terminated.exitCode ?? '?'}${s.terminated.message ? `: ${s.terminated.message}` : ''}`,
    };
  if (s?.waiting) return { label: s.waiting.reason ?? 'Waiting', detail: s.waiting.message };
  return { label: 'Unknown' };
}

export default async function PodDetail({ params }: Props) {
  const { ns, name } = await params;
  const base = `/ns/${encodeURIComponent(ns)}`;
  const [p, events] = await Promise.all([
    one<Pod>(nsPath('', 'pods', ns, name)),
    list<KubeEvent>(`${nsPath('', 'events', ns)}?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`),
  ]);
  if (!p.obj)
    return (
      <>
        <PageHead title={name} />
        <ErrorNote>{p.status === 404 ? `The pod ${name} is gone (replaced or deleted).` : p.error}</ErrorNote>
        <Link href={`${base}/pods`}>Back to pods</Link>
      </>
    );
  const pod = p.obj;
  const statuses = new Map<string, ContainerStatus>();
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) statuses.set(s.name, s);
  const rows = [
    ...(pod.spec.initContainers ?? []).map((c) => ({ c, kind: c.restartPolicy === 'Always' ? 'sidecar (init)' : 'init' })),
    ...pod.spec.containers.map((c, i) => ({ c, kind: i === 0 ? 'app' : 'sidecar' })),
  ];
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  // A Deployment's pod is owned by one of its ReplicaSets, whose name means nothing to the team: link the
  // Deployment itself (the ReplicaSet's own controller), as `kubectl describe` users go look it up.
  const rs = owner?.kind === 'ReplicaSet' ? (await one<ReplicaSet>(nsPath('apps', 'replicasets', ns, owner.name))).obj : undefined;
  const deployment = rs?.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment')?.name;
  const evs = sortEvents(events.items.filter((e) => e.involvedObject?.kind === 'Pod'));
  return (
    <>
      <PageHead title={name} sub={`Pod in ${ns}`}>
        <LiveRefresh watch={[`${nsPath('', 'pods', ns)}?fieldSelector=metadata.name%3D${encodeURIComponent(name)}`, nsPath('', 'events', ns)]} />
        <Link className="button" href={`${base}/logs?pod=${encodeURIComponent(name)}`}>
          Logs
        </Link>
        <ActionButton action={deleteObject.bind(null, '', 'pods', ns, name, `${base}/pods`)} label="Delete" danger confirm={`Delete pod ${name}?`} />
      </PageHead>
      <div className="card">
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <Badge value={podSummary(pod).status} />
          </dd>
          <dt>Node</dt>
          <dd>{pod.spec.nodeName ?? 'not scheduled yet'}</dd>
          <dt>Pod IP</dt>
          <dd className="mono">{pod.status?.podIP ?? '–'}</dd>
          <dt>Age</dt>
          <dd>
            <Age ts={pod.metadata.creationTimestamp} />
          </dd>
          <dt>Owner</dt>
          <dd>
            {deployment ? (
              <>
                Deployment <Link href={`${base}/deployments/${encodeURIComponent(deployment)}`}>{deployment}</Link>
                <div className="sub">through ReplicaSet {owner?.name}</div>
              </>
            ) : owner ? (
              `${owner.kind} ${owner.name}`
            ) : (
              'none'
            )}
          </dd>
          <dt>Labels</dt>
          <dd className="mono">
            {Object.entries(pod.metadata.labels ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(', ') || '–'}
          </dd>
          {pod.status?.message && (
            <>
              <dt>Message</dt>
              <dd>{pod.status.message}</dd>
            </>
          )}
        </dl>
      </div>
      <h2>Containers</h2>
      <DataTable
        rows={rows}
        rowKey={(r) => r.c.name}
        columns={[
          { header: 'Name', cell: (r) => r.c.name },
          { header: 'Kind', cell: (r) => r.kind },
          { header: 'Image', mono: true, cell: (r) => r.c.image },
          {
            header: 'State',
            cell: (r) => {
              const st = stateOf(statuses.get(r.c.name)?.state);
              return (
                <>
                  <Badge value={st.label} /> {st.detail && <span className="sub">{st.detail}</span>}
                </>
              );
            },
          },
          { header: 'Ready', cell: (r) => (statuses.get(r.c.name)?.ready ? 'yes' : 'no') },
          { header: 'Restarts', cell: (r) => statuses.get(r.c.name)?.restartCount ?? 0 },
          {
            header: <span className="skip">Logs</span>,
            cell: (r) => <Link href={`${base}/logs?pod=${encodeURIComponent(name)}&container=${encodeURIComponent(r.c.name)}`}>Logs</Link>,
          },
        ]}
      />
      <h2>Conditions</h2>
      <p>
        {(pod.status?.conditions ?? []).map((c) => (
          <span key={c.type} style={{ marginRight: 8 }}>
            {c.type} <Badge value={c.status} />
          </span>
        ))}
      </p>
      <h2>Events</h2>
      {events.error && <ErrorNote>{events.error}</ErrorNote>}
      {evs.length === 0 ? (
        <Empty>No events for this pod.</Empty>
      ) : (
        <ul>
          {evs.map((e) => (
            <li key={e.metadata.name}>
              <Badge value={e.type ?? 'Normal'} /> <Age ts={eventTime(e)} /> <strong>{e.reason}</strong> {e.message}
              {e.count && e.count > 1 ? ` (×${e.count})` : ''}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
