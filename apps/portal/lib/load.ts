// Reads for the pages: a list, an object, or a list as the API prints it for kubectl (a Table), with the
// API's refusal kept as a message for the error state.
import type { KubeObject, Table } from '@flotilla/resources';
import { describe, get } from './api';
import type { List } from './k8s';

export interface Loaded<T> {
  items: T[];
  error?: string;
  status: number;
}

export async function list<T extends KubeObject>(path: string): Promise<Loaded<T>> {
  const r = await get<List<T>>(path);
  return r.ok && r.data ? { items: r.data.items ?? [], status: r.status } : { items: [], error: describe(r), status: r.status };
}

export async function one<T>(path: string): Promise<{ obj?: T; error?: string; status: number }> {
  const r = await get<T>(path);
  return r.ok && r.data ? { obj: r.data, status: r.status } : { error: describe(r), status: r.status };
}

/** What kubectl sends for `kubectl get`: the columns come from the kind, so the portal and kubectl agree. */
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** One row of a Table with the whole object it was printed from (for links, badges and actions). */
export interface Row<T extends KubeObject> {
  cells: Table['rows'][number]['cells'];
  object: T;
}

export interface LoadedTable<T extends KubeObject> {
  columns: Table['columnDefinitions'];
  rows: Row<T>[];
  error?: string;
  status: number;
}

/** A collection as a Table, each row carrying its object. `path` may already have a query. */
export async function table<T extends KubeObject>(path: string): Promise<LoadedTable<T>> {
  const r = await get<Table>(`${path}${path.includes('?') ? '&' : '?'}includeObject=Object`, { accept: TABLE });
  if (!r.ok || !r.data || r.data.kind !== 'Table') return { columns: [], rows: [], error: describe(r), status: r.status };
  const rows = r.data.rows.map((row) => ({ cells: row.cells, object: row.object as T }));
  return { columns: r.data.columnDefinitions, rows, status: r.status };
}

/** The printed cell of a row in the column of this name ('' when the kind has no such column). */
export function cellOf<T extends KubeObject>(t: LoadedTable<T>, row: Row<T>, column: string): string {
  const i = t.columns.findIndex((c) => c.name === column);
  return i < 0 || row.cells[i] === null ? '' : String(row.cells[i]);
}
