// The strategic-merge list keys must agree with the kinds' schemas: a list the schema publishes as
// merged (x-kubernetes-patch-strategy in OpenAPI, which kubectl reads) must merge the same way here,
// and every served kind must have an entry, or its strategic merge patches silently replace lists.
import { resourceTypes, schemaFor, type Schema } from '@flotilla/resources';
import { patchMetaFor, type ListStrategy } from './patch-meta';

/** The merged lists a schema declares, as dotted paths (list items add no segment). */
function schemaMergeLists(s: Schema, path = '', out: Record<string, ListStrategy> = {}): Record<string, ListStrategy> {
  if (s.type === 'object') for (const [k, v] of Object.entries(s.properties)) schemaMergeLists(v, path ? `${path}.${k}` : k, out);
  else if (s.type === 'array') {
    if (s.patchStrategy?.includes('merge')) out[path] = s.patchMergeKey ? { type: 'map', mergeKey: s.patchMergeKey } : { type: 'set' };
    schemaMergeLists(s.items, path, out);
  }
  return out;
}

describe.each(resourceTypes.map((t) => [t.kind, t] as const))('patch metadata of %s', (_kind, t) => {
  it('exists and merges every list the schema publishes as merged, by the same key', () => {
    const meta = patchMetaFor(t.kind);
    expect(meta).toBeDefined();
    for (const [path, strategy] of Object.entries(schemaMergeLists(schemaFor(t)))) expect([path, meta?.get(path)]).toEqual([path, strategy]);
  });
});
