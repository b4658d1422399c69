import type { Metadata } from 'next';
import { drainNode, setUnschedulable } from '@/app/actions/admin';
import { ActionButton } from '@/components/ActionButton';
import { DataTable } from '@/components/DataTable';
import { LiveRefresh } from '@/components/LiveRefresh';
import { Age, Badge, Empty, ErrorNote, PageHead, UsageBar } from '@/components/ui';
import { get } from '@/lib/api';
import { quantity } from '@/lib/format';
import { type Node, nameOf, type Pod } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Nodes' };

function fmt(n: number, res: string): string {
  if (res === 'memory') return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)}Gi` : `${Math.round(n / 1024 ** 2)}Mi`;
  return res === 'cpu' ? (n < 1 ? `${Math.round(n * 1000)}m` : `${Number(n.toFixed(2))}`) : String(n);
}

/** One platform process as GET /flotilla/v1/admin/components reports it. */
interface ComponentView {
  component: string;
  host: string;
  pid: number;
  startedAt: string;
  restarts: number;
  lastExit: { status: number; at: string } | null;
}

/** Which process runs where and how often it restarted: a crash loop shows as a climbing count here. */
function Components({ items, error }: { items: ComponentView[]; error?: string }) {
  return (
    <section aria-label="Components" style={{ marginTop: 24 }}>
      <h2>Components</h2>
      {error && <ErrorNote>{error}</ErrorNote>}
      {!error && items.length === 0 && <Empty>No component has recorded a start yet.</Empty>}
      {items.length > 0 && (
        <DataTable
          rows={items}
          rowKey={(c) => `${c.component}/${c.host}`}
          columns={[
            { header: 'Component', cell: (c) => c.component },
            { header: 'Host', mono: true, cell: (c) => c.host },
            {
              header: 'Up since',
              cell: (c) => (
                <>
                  <Age ts={c.startedAt} /> <span className="sub">pid {c.pid}</span>
                </>
              ),
            },
            { header: 'Restarts', cell: (c) => (c.restarts > 0 ? <Badge value={String(c.restarts)} tone="warn" /> : '0') },
            { header: 'Last exit', cell: (c) => (c.lastExit ? `status ${c.lastExit.status}${c.lastExit.at ? ` at ${c.lastExit.at}` : ''}` : '—') },
          ]}
        />
      )}
    </section>
  );
}

export default async function Nodes() {
  const [nodes, pods, components] = await Promise.all([
    list<Node>('/api/v1/nodes'),
    list<Pod>('/api/v1/pods'),
    get<{ items: ComponentView[]; redisError?: string }>('/flotilla/v1/admin/components'),
  ]);
  const alloc = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const p of pods.items) {
    if (!p.spec.nodeName || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const a = alloc.get(p.spec.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
    a.pods++;
    for (const c of p.spec.containers) {
      const req = c.resources?.requests ?? c.resources?.limits ?? {};
      a.cpu += quantity(req.cpu);
      a.memory += quantity(req.memory);
    }
    alloc.set(p.spec.nodeName, a);
  }
  return (
    <>
      <PageHead title="Nodes" sub="The machines pods run on: what they hold and what is asked of them.">
        <LiveRefresh watch={['/api/v1/nodes', '/api/v1/pods']} />
      </PageHead>
      {nodes.error && <ErrorNote>{nodes.error}</ErrorNote>}
      {!nodes.error && nodes.items.length === 0 && <Empty>No nodes have joined yet. Start an agent with a join token.</Empty>}
      <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))' }}>
        {nodes.items.map((n) => {
          const a = alloc.get(nameOf(n)) ?? { cpu: 0, memory: 0, pods: 0 };
          const cap = n.status?.allocatable ?? n.status?.capacity ?? {};
          const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
          return (
            <section key={n.metadata.name} className="card" aria-label={`Node ${n.metadata.name}`}>
              <div className="row between">
                <h3>{n.metadata.name}</h3>
                <span>
                  <Badge value={ready?.status === 'True' ? 'Ready' : 'NotReady'} /> {n.spec?.unschedulable && <Badge value="Cordoned" tone="warn" />}
                </span>
              </div>
              <p className="sub mono">{n.status?.addresses?.map((x) => x.address).join(', ')}</p>
              {(['cpu', 'memory', 'pods'] as const).map((res) => {
                const total = quantity(cap[res]);
                const used = a[res];
                return (
                  <UsageBar
                    key={res}
                    label={`${res} requested`}
                    used={fmt(used, res)}
                    hard={fmt(total, res)}
                    pct={total ? Math.min(100, Math.round((used / total) * 100)) : 0}
                  />
                );
              })}
              <details>
                <summary>Conditions</summary>
                <ul>
                  {(n.status?.conditions ?? []).map((c) => (
                    <li key={c.type}>
                      {c.type}: <Badge value={c.status} tone={(c.type === 'Ready') === (c.status === 'True') ? 'ok' : 'bad'} /> {c.message}
                    </li>
                  ))}
                </ul>
              </details>
              <div className="row" style={{ marginTop: 8 }}>
                {/* Keyed: the other button must not inherit this one's outcome ("Uncordoned" beside "Uncordon"). */}
                {n.spec?.unschedulable ? (
                  <ActionButton key="uncordon" action={setUnschedulable.bind(null, nameOf(n), false)} label="Uncordon" />
                ) : (
                  <ActionButton key="cordon" action={setUnschedulable.bind(null, nameOf(n), true)} label="Cordon" />
                )}
                <ActionButton action={drainNode.bind(null, nameOf(n))} label="Drain" danger confirm={`Move every pod off ${n.metadata.name}?`} />
              </div>
            </section>
          );
        })}
      </div>
      <Components
        items={components.data?.items ?? []}
        error={components.ok ? components.data?.redisError && `Redis did not answer: ${components.data.redisError}` : components.error?.message}
      />
    </>
  );
}
