// Content negotiation: what the client asked for in Accept (JSON, Table, protobuf-first).

export interface Wanted {
  table: boolean;
  /** Table row objects: None | Metadata (default) | Object. */
  includeObject: 'None' | 'Metadata' | 'Object';
}

export function negotiate(accept: string | undefined, includeObject: string | undefined): Wanted {
  const a = accept ?? '';
  // kubectl sends "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;…" for tables.
  const table = a.split(',').some((part) => {
    const p = part.replace(/\s/g, '');
    return p.includes('as=Table') && (p.includes('g=meta.k8s.io') || !p.includes('g='));
  });
  const inc = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
  return { table, includeObject: inc };
}
