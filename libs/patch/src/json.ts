// JSON value types and the few safe primitives every patch flavour needs: a validating deep copy
// (so inputs are never mutated and hostile values are rejected up front) and own-property access
// (so keys such as "__proto__" or "constructor" are treated as plain data).
import { PatchError } from './errors';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deeper than any real Kubernetes object; stops cycles and stack exhaustion with a clear error. */
export const MAX_DEPTH = 200;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

export function getOwn(o: JsonObject, key: string): JsonValue | undefined {
  return hasOwn(o, key) ? o[key] : undefined;
}

/** Assignment that cannot reach a prototype: `o["__proto__"] = v` would change o's prototype. */
export function setOwn(o: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(o, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function newObject(): JsonObject {
  return {};
}

/**
 * Deep copy of a JSON document, rejecting anything JSON cannot carry (functions, symbols, bigint,
 * non-finite numbers, class instances, cycles). Object properties whose value is `undefined` are
 * dropped, as JSON.stringify would.
 */
export function cloneJson(value: unknown, what: string, path = '', depth = 0): JsonValue {
  if (depth > MAX_DEPTH) throw new PatchError(`${what} is nested more than ${MAX_DEPTH} levels deep`, path || undefined);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PatchError(`${what} contains a non-finite number`, path || undefined);
    return value;
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw new PatchError(`${what} contains an undefined list item`, `${path}[${i}]`);
      out.push(cloneJson(item, what, `${path}[${i}]`, depth + 1));
    }
    return out;
  }
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new PatchError(`${what} contains a value that is not plain JSON`, path || undefined);
    }
    const out = newObject();
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      setOwn(out, key, cloneJson(item, what, path ? `${path}.${key}` : key, depth + 1));
    }
    return out;
  }
  throw new PatchError(`${what} contains a ${typeof value}, which is not JSON`, path || undefined);
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
}

export function joinField(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Runs a patch operation and guarantees the public promise "throws only PatchError": anything else
 * (a stack overflow on a pathological document, a bug) is wrapped rather than escaping as-is.
 */
export function onlyPatchErrors<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof PatchError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new PatchError(`${what} failed: ${detail}`);
  }
}
