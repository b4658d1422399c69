// meta.k8s.io/v1 Table output for `kubectl get`, with the columns kubectl shows against a real cluster.
import { kindModuleOfKind } from './registry';
import type { ResourceType } from './registry-types';
import { isPlainObject } from './schema';
import { ageCol, nameCol, type Column } from './table-columns';
import type { KubeObject } from './types';

export { shortHumanDuration, podSummary } from './table-columns';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: (string | number | boolean | null)[];
  object?: unknown;
  conditions?: { type: string; status: string }[];
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  resourceVersion?: string;
  continue?: string;
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** The clock for AGE cells (ms since epoch); defaults to now. */
  now?: number;
}

const DEFAULT_COLUMNS: Column[] = [nameCol, ageCol];

function columnsOf(t: Pick<ResourceType, 'kind'>): Column[] {
  return kindModuleOfKind(t.kind)?.columns ?? DEFAULT_COLUMNS;
}

export function tableColumns(t: Pick<ResourceType, 'kind'>): TableColumnDefinition[] {
  const cols = columnsOf(t);
  return cols.map((c) => ({ name: c.name, type: c.type ?? 'string', format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }));
}

function rowObject(obj: KubeObject, mode: TableOptions['includeObject']): unknown {
  if (mode === 'None') return undefined;
  if (mode === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isPlainObject(obj.metadata) ? obj.metadata : {} };
}

export function toTable(t: ResourceType, objs: KubeObject[], opts: TableOptions = {}): Table {
  const now = opts.now ?? Date.now();
  const cols = columnsOf(t);
  const rowConditions = kindModuleOfKind(t.kind)?.rowConditions;
  const rows: TableRow[] = objs.map((obj) => {
    const cells = cols.map((c) => {
      try {
        return c.cell(obj, now);
      } catch {
        return '<unknown>';
      }
    });
    const row: TableRow = { cells };
    const object = rowObject(obj, opts.includeObject ?? 'Metadata');
    if (object !== undefined) row.object = object;
    const conditions = rowConditions?.(obj);
    if (conditions) row.conditions = conditions;
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue !== undefined) metadata.continue = opts.continue;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: tableColumns(t), rows };
}
