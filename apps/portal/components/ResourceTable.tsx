// A list as the API prints it for `kubectl get` (its Table), with the portal's links, badges and actions
// laid on top. The columns belong to the kind: one added there shows here and in kubectl alike.
// Server-safe: no hooks.
import type { ReactNode } from 'react';
import type { KubeObject } from '@flotilla/resources';
import type { LoadedTable, Row } from '@/lib/load';

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
  /** Columns the portal adds before and after the Table's. */
  before?: Extra<T>[];
  after?: Extra<T>[];
  /** Which rows to show and in what order (the Table comes in the API's order). */
  rows?: (rows: Row<T>[]) => Row<T>[];
  /** Props for the <table> element (a test id). */
  tableProps?: Record<string, string>;
}

function text(cell: Cell): string {
  return cell === null ? '' : String(cell);
}

/** AGE printed by the API, kept as a <time> so the moment itself is in the page. */
function age(cell: Cell, obj: KubeObject): ReactNode {
  return <time dateTime={obj.metadata.creationTimestamp ?? undefined}>{text(cell)}</time>;
}

export function ResourceTable<T extends KubeObject>({ data, ...d }: { data: LoadedTable<T> } & Decorations<T>) {
  const shown = data.columns.map((c, i) => ({ c, i })).filter(({ c }) => (c.priority === 0 || d.wide?.includes(c.name)) && !d.hide?.includes(c.name));
  const rows = d.rows ? d.rows(data.rows) : data.rows;
  const draw = (name: string): ((cell: Cell, obj: T) => ReactNode) => d.cells?.[name] ?? (name === 'Age' ? age : text);
  return (
    <div className="table-wrap">
      <table {...d.tableProps}>
        <thead>
          <tr>
            {d.before?.map((x, i) => (
              <th key={`b${i}`} scope="col">
                {x.header}
              </th>
            ))}
            {shown.map(({ c }) => (
              <th key={c.name} scope="col" title={c.description}>
                {c.name}
              </th>
            ))}
            {d.after?.map((x, i) => (
              <th key={`a${i}`} scope="col">
                {x.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.object.metadata.uid ?? r.object.metadata.name}>
              {d.before?.map((x, i) => (
                <td key={`b${i}`} className={x.mono ? 'mono' : undefined}>
                  {x.cell(r.object)}
                </td>
              ))}
              {shown.map(({ c, i }) => (
                <td key={c.name} className={d.mono?.includes(c.name) ? 'mono' : undefined}>
                  {draw(c.name)(r.cells[i], r.object)}
                </td>
              ))}
              {d.after?.map((x, i) => (
                <td key={`a${i}`} className={x.mono ? 'mono' : undefined}>
                  {x.cell(r.object)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
