import type { Metadata } from 'next';
import Link from 'next/link';
import { deleteObject, pauseDeployment, restartDeployment, rollback, scaleDeployment, setImage } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { InlineForm } from '@/components/InlineForm';
import { LiveRefresh } from '@/components/LiveRefresh';
import { labelSelectorToString } from '@flotilla/resources';
import { DataTable } from '@/components/DataTable';
import { ResourceTable } from '@/components/ResourceTable';
import { podTable } from '@/components/tables';
import { Age, Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import {
  type Deployment,
  eventTime,
  type KubeEvent,
  nameOf,
  nsPath,
  type Pod,
  type ReplicaSet,
  REVISION,
  revisionsOf,
  type Service,
  sortEvents,
} from '@/lib/k8s';
import { portalConfig } from '@/lib/config';
import { list, one, table } from '@/lib/load';
import { revisionChanges } from '@/lib/revisions';
import { type IngressWithStatus, selects, urlsOf } from '@/lib/service-urls';

type Props = { params: Promise<{ ns: string; name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).name };
}

/** The line `kubectl rollout status` would print for this version of the Deployment. */
function rolloutMessage(d: Deployment): { text: string; done: boolean } {
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { text: 'Waiting for the change to be picked up…', done: false };
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded'))
    return { text: 'The rollout exceeded its progress deadline.', done: false };
  if ((s.updatedReplicas ?? 0) < want) return { text: `${s.updatedReplicas ?? 0} of ${want} new replicas have been updated…`, done: false };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return { text: `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination…`, done: false };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0))
    return { text: `${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas are available…`, done: false };
  return { text: 'Successfully rolled out.', done: true };
}

const revisionOf = (rs: ReplicaSet): string => rs.metadata.annotations?.[REVISION] ?? '?';

export default async function DeploymentDetail({ params }: Props) {
  const { ns, name } = await params;
  const d = await one<Deployment>(nsPath('apps', 'deployments', ns, name));
  const base = `/ns/${encodeURIComponent(ns)}`;
  if (!d.obj)
    return (
      <>
        <PageHead title={name} />
        <ErrorNote>{d.status === 404 ? `There is no deployment ${name} in ${ns}.` : d.error}</ErrorNote>
        <Link href={`${base}/deployments`}>Back to deployments</Link>
      </>
    );
  const dep = d.obj;
  const selector = labelSelectorToString(dep.spec.selector);
  const [rss, pods, events, svcs, ings] = await Promise.all([
    list<ReplicaSet>(`${nsPath('apps', 'replicasets', ns)}?labelSelector=${encodeURIComponent(selector)}`),
    table<Pod>(`${nsPath('', 'pods', ns)}?labelSelector=${encodeURIComponent(selector)}`),
    list<KubeEvent>(nsPath('', 'events', ns)),
    list<Service>(nsPath('', 'services', ns)),
    list<IngressWithStatus>(nsPath('networking.k8s.io', 'ingresses', ns)),
  ]);
  // Where the app answers: every address of each Service in front of its pods.
  const { publicHost, ingressUrl } = portalConfig();
  const podLabels = dep.spec.template.metadata?.labels ?? {};
  const appUrls = [...new Set(svcs.items.filter((s) => selects(s, podLabels)).flatMap((s) => urlsOf(s, ings.items, publicHost, ingressUrl)))];
  const revisions = revisionsOf(dep, rss.items);
  const current = dep.metadata.annotations?.[REVISION];
  const rsNames = new Set(revisions.map((r) => r.metadata.name));
  const podNames = new Set(pods.rows.map((r) => r.object.metadata.name));
  const evs = sortEvents(
    events.items.filter(
      (e) =>
        (e.involvedObject?.kind === 'Deployment' && e.involvedObject.name === name) ||
        (e.involvedObject?.kind === 'ReplicaSet' && rsNames.has(e.involvedObject.name ?? '')) ||
        (e.involvedObject?.kind === 'Pod' && podNames.has(e.involvedObject.name ?? '')),
    ),
  ).slice(0, 15);
  const want = dep.spec.replicas ?? 1;
  const st = dep.status ?? {};
  const msg = rolloutMessage(dep);
  const old = Math.max(0, (st.replicas ?? 0) - (st.updatedReplicas ?? 0));
  const sel = encodeURIComponent(selector);
  // A ReplicaSet that cannot create its pods (quota, LimitRange, Pod Security) only retries: the rollout
  // counts alone would look merely slow, so the reason is put where it is seen first.
  const failure = st.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  return (
    <>
      <PageHead title={name} sub={<>Deployment in {ns}</>}>
        <LiveRefresh
          watch={[
            `${nsPath('apps', 'deployments', ns)}?fieldSelector=metadata.name%3D${encodeURIComponent(name)}`,
            `${nsPath('apps', 'replicasets', ns)}?labelSelector=${sel}`,
            `${nsPath('', 'pods', ns)}?labelSelector=${sel}`,
            nsPath('', 'events', ns),
            nsPath('', 'services', ns),
          ]}
        />
        {appUrls[0] && (
          <a className="button primary" href={appUrls[0]} target="_blank" rel="noreferrer" data-testid="open-app">
            Open the app
          </a>
        )}
        <Link className="button" href={`${base}/logs?deployment=${encodeURIComponent(name)}`}>
          Logs
        </Link>
        <Link className="button" href={`${base}/yaml?kind=Deployment&name=${encodeURIComponent(name)}`}>
          Edit YAML
        </Link>
      </PageHead>

      {appUrls.length > 0 && (
        <p className="sub" data-testid="app-urls">
          Answers at{' '}
          {appUrls.map((u, i) => (
            <span key={u}>
              {i > 0 && ', '}
              <a href={u} target="_blank" rel="noreferrer">
                {u}
              </a>
            </span>
          ))}
        </p>
      )}
      {failure && (
        <div className="note warn" role="alert" data-testid="replica-failure">
          <strong>Pods cannot be created{failure.reason ? ` (${failure.reason})` : ''}.</strong> {failure.message}
        </div>
      )}

      <section className="card" aria-labelledby="rollout-h">
        <div className="row between">
          <h2 id="rollout-h" style={{ margin: 0 }}>
            Rollout {current ? `· revision ${current}` : ''}
          </h2>
          {dep.spec.paused ? <Badge value="Paused" tone="warn" /> : <Badge value={msg.done ? 'Available' : 'Progressing'} tone={msg.done ? 'ok' : 'warn'} />}
        </div>
        <p data-testid="rollout-status" aria-live="polite">
          {msg.text}
        </p>
        <dl className="kv" data-testid="rollout-counts">
          <dt>Desired</dt>
          <dd>{want}</dd>
          <dt>New (updated)</dt>
          <dd data-testid="updated">{st.updatedReplicas ?? 0}</dd>
          <dt>Old</dt>
          <dd data-testid="old">{old}</dd>
          <dt>Ready</dt>
          <dd data-testid="ready">{st.readyReplicas ?? 0}</dd>
          <dt>Available</dt>
          <dd>{st.availableReplicas ?? 0}</dd>
        </dl>
      </section>

      <h2>Actions</h2>
      <div className="row" style={{ gap: 16 }}>
        <InlineForm action={scaleDeployment.bind(null, ns, name)} submit="Scale" current={String(want)}>
          <label htmlFor="replicas" style={{ margin: 0 }}>
            Replicas
          </label>
          <input id="replicas" name="replicas" type="number" min={0} max={1000} defaultValue={want} style={{ width: 80 }} />
        </InlineForm>
        <ActionButton action={restartDeployment.bind(null, ns, name)} label="Restart" />
        {/* Keyed: the other button must not inherit this one's outcome ("Paused" beside "Pause"). */}
        {dep.spec.paused ? (
          <ActionButton key="resume" action={pauseDeployment.bind(null, ns, name, false)} label="Resume" />
        ) : (
          <ActionButton key="pause" action={pauseDeployment.bind(null, ns, name, true)} label="Pause" />
        )}
        <ActionButton
          action={deleteObject.bind(null, 'apps', 'deployments', ns, name, `${base}/deployments`)}
          label="Delete"
          danger
          confirm={`Delete ${name} and all its pods?`}
        />
      </div>
      <h3 style={{ marginTop: 16 }}>Change the image</h3>
      <div className="row" style={{ gap: 16 }}>
        {dep.spec.template.spec.containers.map((c) => (
          // Keyed by the image too: when the image changes (a rollout, a rollback, an edit elsewhere) the field
          // shows what runs now and the note of an earlier rollout goes.
          <InlineForm key={`${c.name}=${c.image}`} action={setImage.bind(null, ns, name)} submit="Roll out" fields={{ container: c.name }} fieldName="image">
            <label htmlFor={`image-${c.name}`} style={{ margin: 0 }}>
              {c.name}
            </label>
            <input id={`image-${c.name}`} name="image" defaultValue={c.image} required style={{ minWidth: 220 }} />
          </InlineForm>
        ))}
      </div>

      <h2>Revision history</h2>
      {rss.error && <ErrorNote>{rss.error}</ErrorNote>}
      {revisions.length === 0 ? (
        <Empty>No revisions yet: the controller has not created a ReplicaSet.</Empty>
      ) : (
        <DataTable
          testId="revisions"
          rows={revisions}
          rowKey={nameOf}
          columns={[
            {
              header: 'Revision',
              cell: (rs) => (
                <>
                  {revisionOf(rs)} {revisionOf(rs) === current && <Badge value="current" tone="ok" />}
                </>
              ),
            },
            { header: 'Images', mono: true, cell: (rs) => rs.spec.template.spec.containers.map((c) => c.image).join(', ') },
            {
              header: 'What changed',
              // Against the revision before it (the list is newest first).
              cell: (rs) => (
                <ul className="changes">
                  {revisionChanges(rs, revisions[revisions.indexOf(rs) + 1]).map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              ),
            },
            { header: 'Pods', cell: (rs) => `${rs.status?.readyReplicas ?? 0}/${rs.spec.replicas ?? 0}` },
            { header: 'Created', cell: (rs) => <Age ts={rs.metadata.creationTimestamp} /> },
            {
              header: <span className="skip">Action</span>,
              cell: (rs) =>
                revisionOf(rs) !== current && (
                  <ActionButton
                    action={rollback.bind(null, ns, name, nameOf(rs))}
                    label={`Roll back to ${revisionOf(rs)}`}
                    confirm={`Roll back ${name} to revision ${revisionOf(rs)}?`}
                  />
                ),
            },
          ]}
        />
      )}

      <h2>Pods</h2>
      {pods.rows.length === 0 ? (
        <Empty>No pods.</Empty>
      ) : (
        <ResourceTable data={pods} {...podTable(ns)} after={[{ header: 'Image', mono: true, cell: (p) => p.spec.containers.map((c) => c.image).join(', ') }]} />
      )}

      <h2>Conditions</h2>
      {(st.conditions ?? []).length === 0 ? (
        <Empty>No conditions reported yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <tbody>
              {st.conditions?.map((c) => (
                <tr key={c.type}>
                  <th scope="row">{c.type}</th>
                  <td>
                    <Badge value={c.status} />
                  </td>
                  <td>{c.reason}</td>
                  <td>{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Events</h2>
      {evs.length === 0 ? (
        <Empty>No events.</Empty>
      ) : (
        <ul>
          {evs.map((e) => (
            <li key={e.metadata.name}>
              <Badge value={e.type ?? 'Normal'} /> <Age ts={eventTime(e)} /> · {e.involvedObject?.kind} {e.involvedObject?.name}: <strong>{e.reason}</strong>{' '}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
