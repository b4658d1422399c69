// A list as the API prints it for `kubectl get` (its Table), with the portal's links, badges and actions
// laid on top. The columns belong to the kind: one added there shows here and in kubectl alike.
// Server-safe: no hooks.
import type { ReactNode } from 'react';
import type { KubeObject } from '@flotilla/resources';
import type { LoadedTable, Row } from '@/lib/load';
import { type Column, DataTable } from './DataTable';

type Cell = Row<KubeObject>['cells'][number];

/** A column the portal adds that no table has (where to open a Service, the actions on a row). */
export interface Extra<T extends KubeObject> {
  header: ReactNode;
  cell: (obj: T) => ReactNode;
  mono?: boolean;
}

export interface Decorations<T extends KubeObject> {
  /** Draws a column, by its Table name, from its printed cell and the object (a link, a badge). */
  cells?: Record<string, (cell: Cell, obj: T) => ReactNode>;
  /** Wide columns (`kubectl get -o wide`) to show as well, by name. */
  wide?: string[];
  /** Columns of the Table to leave out, by name. */
  hide?: string[];
  /** Columns printed in a fixed-width font (images, addresses). */
  mono?: string[];
  /** Columns the portal adds after the Table's. */
  after?: Extra<T>[];
  /** Which rows to show and in what order (the Table comes in the API's order). */
  rows?: (rows: Row<T>[]) => Row<T>[];
}

function text(cell: Cell): string {
  return cell === null ? '' : String(cell);
}

/** AGE printed by the API, kept as a <time> so the moment itself is in the page. */
function age(cell: Cell, obj: KubeObject): ReactNode {
  return <time dateTime={obj.metadata.creationTimestamp ?? undefined}>{text(cell)}</time>;
}

export function ResourceTable<T extends KubeObject>({ data, ...d }: { data: LoadedTable<T> } & Decorations<T>) {
  const column = (c: (typeof data.columns)[number], i: number): Column<Row<T>> => {
    const draw = d.cells?.[c.name] ?? (c.name === 'Age' ? age : text);
    return { header: c.name, title: c.description, mono: d.mono?.includes(c.name), cell: (r: Row<T>) => draw(r.cells[i], r.object) };
  };
  const indexed = data.columns.map((c, i) => ({ c, i })).filter(({ c }) => !d.hide?.includes(c.name));
  // kubectl's own columns first, as `kubectl get` prints them; the wide ones asked for after them.
  const printed = [...indexed.filter(({ c }) => c.priority === 0), ...indexed.filter(({ c }) => c.priority !== 0 && d.wide?.includes(c.name))].map(({ c, i }) =>
    column(c, i),
  );
  const added: Column<Row<T>>[] = (d.after ?? []).map((x) => ({ header: x.header, mono: x.mono, cell: (r: Row<T>) => x.cell(r.object) }));
  return (
    <DataTable
      columns={[...printed, ...added]}
      rows={d.rows ? d.rows(data.rows) : data.rows}
      rowKey={(r) => r.object.metadata.uid ?? r.object.metadata.name ?? ''}
    />
  );
}
