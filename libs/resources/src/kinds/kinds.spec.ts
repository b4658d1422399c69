// Every registered kind module is complete and consistent with the generic code that reads it: a new
// kind that forgets a piece, or names a path its schema does not have, fails here before any e2e run.
import { applyDefaults } from '../defaults';
import { apiVersionOf, kindModuleFor, kindModuleOfKind, resourceFor, resourceForKind, resourceTypes, schemaFor } from '../registry';
import { podTemplateOf } from '../pod-template';
import type { ObjectSchema, Schema } from '../schema';
import { toTable } from '../tables';
import type { KubeObject } from '../types';
import { validateObject } from '../validation';
import { kindModules } from '.';

const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';
const NOW = Date.parse('2026-01-02T03:04:05Z');

/** The schema at a dotted path, through objects (and array items), or undefined. */
function schemaAt(s: Schema, path: string): Schema | undefined {
  let cur: Schema | undefined = s;
  for (const part of path === '' ? [] : path.split('.')) {
    while (cur?.type === 'array') cur = cur.items;
    cur = cur?.type === 'object' ? cur.properties[part] : undefined;
  }
  return cur;
}

function setAt(o: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = o;
  for (const part of parts.slice(0, -1)) cur = (cur[part] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

/** A small object of the kind: metadata, and a pod template where the kind keeps one. */
function sample(i: number): KubeObject {
  const t = resourceTypes[i];
  const m = kindModules[i];
  const o: KubeObject = {
    apiVersion: apiVersionOf(t),
    kind: t.kind,
    metadata: {
      name: 'sample',
      uid: '0b6f4e1c-5a55-4d33-9e0c-1b2d3c4d5e6f',
      creationTimestamp: '2026-01-02T03:00:00Z',
      ...(t.namespaced ? { namespace: 'ns' } : {}),
    },
  };
  const template = { metadata: { labels: { app: 'sample' } }, spec: { containers: [{ name: 'c', image: 'flotilla/busybox:1' }] } };
  if (m.podTemplatePath === '') Object.assign(o, { spec: template.spec });
  else if (m.podTemplatePath !== undefined) setAt(o as unknown as Record<string, unknown>, m.podTemplatePath, template);
  return o;
}

describe.each(kindModules.map((m, i) => [m.resource.kind, m, i] as const))('kind module %s', (_kind, m, i) => {
  const t = resourceTypes[i];

  it('is found again by path, by apiVersion and kind, and by type', () => {
    expect(resourceFor(t.group, t.version, t.plural)).toBe(t);
    expect(resourceForKind(apiVersionOf(t), t.kind)).toBe(t);
    expect(kindModuleFor(t)).toBe(m);
    expect(kindModuleOfKind(t.kind)).toBe(m);
  });

  it('has a schema for its own group, version and kind, which OpenAPI and validation use', () => {
    expect(m.schema.gvk).toEqual({ group: t.group, version: t.version, kind: t.kind });
    expect(schemaFor(t)).toBe(m.schema);
    for (const field of ['apiVersion', 'kind', 'metadata']) expect(m.schema.properties[field]).toBeDefined();
    if (t.hasSpec) expect(m.schema.properties.spec).toBeDefined();
    if (t.hasStatus) expect(m.schema.properties.status).toBeDefined();
  });

  it('offers only selectable fields its schema declares', () => {
    for (const field of t.selectableFields) {
      const path = m.fieldPaths?.[field] ?? field;
      expect([field, schemaAt(m.schema, path)?.type]).toEqual([field, 'string']);
    }
    for (const field of Object.keys(m.fieldPaths ?? {})) expect(t.selectableFields).toContain(field);
  });

  it('renders every table column on a sample', () => {
    expect(m.columns.length).toBeGreaterThan(0);
    // Cells must not throw (toTable would print <unknown> for a bug; kubectl's own <unknown> is fine).
    for (const c of m.columns) expect(['string', 'number', 'boolean']).toContain(typeof c.cell(sample(i), NOW));
    const table = toTable(t, [sample(i)], { now: NOW });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(m.columns.map((c) => c.name));
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0].cells).toHaveLength(m.columns.length);
    const name = m.columns.findIndex((c) => c.format === 'name');
    if (name >= 0) expect(table.rows[0].cells[name]).toBe('sample');
  });

  it('defaults idempotently: a second pass changes nothing', () => {
    const once = sample(i);
    applyDefaults(t, once);
    const twice = structuredClone(once);
    applyDefaults(t, twice);
    expect(twice).toEqual(once);
  });

  it('validates a sample without an internal error, and names its type in a kind mismatch', () => {
    const o = sample(i);
    applyDefaults(t, o);
    const errs = validateObject(t, o);
    expect(errs.filter((e) => e.message.startsWith('internal validation error'))).toEqual([]);
    expect(validateObject(t, { ...o, kind: 'Other' })).toContainEqual(expect.objectContaining({ field: 'kind', message: expect.stringContaining(t.kind) }));
  });

  it('keeps its pod template where its schema has a pod template', () => {
    if (m.podTemplatePath === undefined) {
      expect(podTemplateOf(sample(i))).toBeUndefined();
      return;
    }
    const specPath = m.podTemplatePath === '' ? 'spec' : `${m.podTemplatePath}.spec`;
    expect((schemaAt(m.schema, specPath) as ObjectSchema | undefined)?.name).toBe(POD_SPEC);
    const found = podTemplateOf(sample(i));
    expect(found?.specPath).toBe(specPath);
    expect(found?.spec).toEqual({ containers: [{ name: 'c', image: 'flotilla/busybox:1' }] });
  });
});

describe('the kind list', () => {
  it('registers each kind and each path once', () => {
    const kinds = kindModules.map((m) => m.resource.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const paths = resourceTypes.map((t) => `${t.group}/${t.version}/${t.plural}`);
    expect(new Set(paths).size).toBe(paths.length);
    const shortNames = resourceTypes.flatMap((t) => t.shortNames);
    expect(new Set(shortNames).size).toBe(shortNames.length);
  });

  it('is what the registry serves, in the same order', () => {
    expect(resourceTypes.map((t) => t.kind)).toEqual(kindModules.map((m) => m.resource.kind));
  });
});
