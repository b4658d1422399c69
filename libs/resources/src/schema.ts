// A small schema language: one declaration per kind drives type validation, strict unknown-field
// detection and the OpenAPI v3 document.

interface Common {
  /** What the type is (component description, or the inline description). */
  description?: string;
  /** What this use of the type means (a property's own description); overrides `description` inline. */
  doc?: string;
}

export interface ObjectSchema extends Common {
  type: 'object';
  /** OpenAPI component name, e.g. io.k8s.api.core.v1.PodSpec; unnamed objects are inlined. */
  name?: string;
  properties: Record<string, Schema>;
  required?: string[];
  /** Kinds this schema is the top level of: x-kubernetes-group-version-kind. */
  gvk?: { group: string; version: string; kind: string };
}

export interface ArraySchema extends Common {
  type: 'array';
  items: Schema;
  /** Strategic-merge-patch metadata, as Kubernetes publishes it. */
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  listType?: 'atomic' | 'map' | 'set';
  listMapKeys?: string[];
}

export interface MapSchema extends Common {
  type: 'map';
  values: Schema;
}

export type ScalarType = 'string' | 'int' | 'number' | 'bool' | 'quantity' | 'intOrString' | 'time' | 'bytes';

export interface ScalarSchema extends Common {
  type: ScalarType;
  enum?: string[];
  format?: string;
}

/** Free-form JSON: not type-checked, unknown fields allowed (x-kubernetes-preserve-unknown-fields). */
export interface AnySchema extends Common {
  type: 'any';
  /** Declared subfields (documentation only); others are preserved too. */
  objectOnly?: boolean;
}

export type Schema = ObjectSchema | ArraySchema | MapSchema | ScalarSchema | AnySchema;

// ---- builders -----------------------------------------------------------------

export function obj(properties: Record<string, Schema>, description?: string, extra?: Partial<ObjectSchema>): ObjectSchema {
  return { type: 'object', properties, description, ...extra };
}

/** A named object: emitted as its own OpenAPI component and referenced. */
export function named(name: string, description: string, properties: Record<string, Schema>, required?: string[]): ObjectSchema {
  return { type: 'object', name, description, properties, required };
}

export function arr(items: Schema, doc?: string, extra?: Partial<ArraySchema>): ArraySchema {
  return { type: 'array', items, doc, ...extra };
}

/** A list merged by key in strategic merge patch (containers by name, ports by containerPort). */
export function mergeList(items: Schema, key: string, doc?: string): ArraySchema {
  return { type: 'array', items, doc, patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: [key] };
}

export function map(values: Schema, doc?: string): MapSchema {
  return { type: 'map', values, doc };
}

export const str = (doc?: string, extra?: Partial<ScalarSchema>): ScalarSchema => ({ type: 'string', doc, ...extra });
export const enumOf = (values: string[], doc?: string): ScalarSchema => ({ type: 'string', enum: values, doc });
export const int = (doc?: string): ScalarSchema => ({ type: 'int', doc, format: 'int32' });
export const int64 = (doc?: string): ScalarSchema => ({ type: 'int', doc, format: 'int64' });
export const num = (doc?: string): ScalarSchema => ({ type: 'number', doc, format: 'double' });
export const bool = (doc?: string): ScalarSchema => ({ type: 'bool', doc });
export const qty = (doc?: string): ScalarSchema => ({ type: 'quantity', doc });
export const intOrStr = (doc?: string): ScalarSchema => ({ type: 'intOrString', doc });
export const time = (doc?: string): ScalarSchema => ({ type: 'time', doc });
export const bytes = (doc?: string): ScalarSchema => ({ type: 'bytes', doc });
export const any = (doc?: string): AnySchema => ({ type: 'any', doc });
export const strings = (doc?: string): ArraySchema => arr(str(), doc, { listType: 'atomic' });
export const stringMap = (doc?: string): MapSchema => map(str(), doc);

/** The same schema with a property-level description. */
export function doc<S extends Schema>(s: S, text: string): S {
  return { ...s, doc: text };
}

// ---- walking values -------------------------------------------------------------

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

export function childPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

export interface TypeProblem {
  path: string;
  value: unknown;
  expected: string;
}

const TYPE_NAMES: Record<ScalarType | 'object' | 'array' | 'map', string> = {
  string: 'string',
  int: 'integer',
  number: 'number',
  bool: 'boolean',
  quantity: 'string',
  intOrString: 'integer or string',
  time: 'string',
  bytes: 'string',
  object: 'object',
  array: 'array',
  map: 'object',
};

function scalarOk(t: ScalarType, v: unknown): boolean {
  switch (t) {
    case 'string':
    case 'time':
    case 'bytes':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'quantity':
      // Validity of the text is a semantic check (it has its own message).
      return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    case 'intOrString':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  }
}

/**
 * Visits a value against a schema, reporting type mismatches and undeclared fields.
 * null is accepted anywhere (JSON null decodes to the zero value in Kubernetes).
 * Bounded by the schema's depth, so hostile nesting cannot recurse without end.
 */
export interface WalkHandlers {
  type(p: TypeProblem): void;
  unknown(path: string): void;
  notSupported(path: string, value: string, allowed: string[]): void;
}

export function walk(schema: Schema, value: unknown, path: string, h: WalkHandlers): void {
  if (value === null || value === undefined) return;
  switch (schema.type) {
    case 'any':
      return;
    case 'object': {
      if (!isPlainObject(value)) {
        h.type({ path, value, expected: 'object' });
        return;
      }
      for (const key of Object.keys(value)) {
        const p = childPath(path, key);
        if (!hasOwn(schema.properties, key)) {
          h.unknown(p);
          continue;
        }
        walk(schema.properties[key], value[key], p, h);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        h.type({ path, value, expected: 'array' });
        return;
      }
      for (let i = 0; i < value.length; i++) walk(schema.items, value[i], indexPath(path, i), h);
      return;
    }
    case 'map': {
      if (!isPlainObject(value)) {
        h.type({ path, value, expected: 'map' });
        return;
      }
      for (const key of Object.keys(value)) walk(schema.values, value[key], keyPath(path, key), h);
      return;
    }
    default:
      if (!scalarOk(schema.type, value)) h.type({ path, value, expected: schema.type });
      else if (schema.enum && typeof value === 'string' && !schema.enum.includes(value)) h.notSupported(path, value, schema.enum);
  }
}

export function typeName(t: TypeProblem['expected']): string {
  return TYPE_NAMES[t as keyof typeof TYPE_NAMES] ?? t;
}

/** JSON type of a value, in OpenAPI words. */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v;
}
