// The one table markup of the portal: a header row and a row per item, in a box that scrolls sideways
// on a narrow screen. Server-safe: no hooks.
import type { CSSProperties, ReactNode } from 'react';

export interface Column<R> {
  header: ReactNode;
  cell: (row: R) => ReactNode;
  /** Fixed-width font (images, addresses, names the user may copy). */
  mono?: boolean;
  /** Shown on hover over the header (what the column means). */
  title?: string;
  /** For cells that must not be squeezed (usage bars). */
  minWidth?: number;
}

export function DataTable<R>({
  columns,
  rows,
  rowKey,
  testId,
  style,
}: {
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R) => string;
  testId?: string;
  style?: CSSProperties;
}) {
  return (
    <div className="table-wrap" style={style}>
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" title={c.title}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c, i) => (
                <td key={i} className={c.mono ? 'mono' : undefined} style={c.minWidth ? { minWidth: c.minWidth } : undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
