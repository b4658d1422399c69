// What the portal lays on the API's tables of each kind it lists in more than one page: links to the
// object's page, badges for states, and the rows' order. The columns themselves are the kind's.
import Link from 'next/link';
import type { Deployment, KubeEvent, Pod } from '@/lib/k8s';
import { eventTime, warningsThenNewest } from '@/lib/k8s';
import type { Row } from '@/lib/load';
import type { Decorations } from './ResourceTable';
import { Badge } from './ui';

const nsBase = (ns: string) => `/ns/${encodeURIComponent(ns)}`;

/** "2/3" in a READY column: all ready, or not yet. A pod being deleted is not ready whatever it last reported. */
function readyBadge(cell: unknown, obj?: { metadata: { deletionTimestamp?: string | null } }) {
  const [have, want] = String(cell).split('/');
  return <Badge value={String(cell)} tone={have === want && !obj?.metadata.deletionTimestamp ? 'ok' : 'warn'} />;
}

export function podTable(ns: string): Decorations<Pod> {
  return {
    wide: ['Node', 'IP'],
    mono: ['IP'],
    cells: {
      Name: (_, p) => <Link href={`${nsBase(ns)}/pods/${encodeURIComponent(p.metadata.name ?? '')}`}>{p.metadata.name}</Link>,
      Ready: readyBadge,
      Status: (cell) => <Badge value={String(cell)} />,
    },
  };
}

export function deploymentTable(ns: string): Decorations<Deployment> {
  return {
    wide: ['Images'],
    mono: ['Images'],
    cells: {
      Name: (_, d) => <Link href={`${nsBase(ns)}/deployments/${encodeURIComponent(d.metadata.name ?? '')}`}>{d.metadata.name}</Link>,
    },
    after: [
      {
        header: 'State',
        cell: (d) =>
          d.spec.paused ? (
            <Badge value="Paused" tone="warn" />
          ) : (
            <Badge value={(d.status?.readyReplicas ?? 0) >= (d.spec.replicas ?? 1) ? 'Available' : 'Progressing'} />
          ),
      },
    ],
  };
}

export function eventTable(pick: (rows: Row<KubeEvent>[]) => Row<KubeEvent>[] = (r) => r): Decorations<KubeEvent> {
  return {
    wide: ['Source', 'Count'],
    mono: ['Object'],
    cells: {
      'Last Seen': (cell, e) => <time dateTime={eventTime(e)}>{String(cell)}</time>,
      Type: (cell) => <Badge value={String(cell || 'Normal')} />,
    },
    rows: (rows) => {
      const now = Date.now();
      return pick([...rows].sort((a, b) => warningsThenNewest(a.object, b.object, now)));
    },
  };
}
