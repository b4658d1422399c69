// What Postgres can hold: a jsonb value cannot contain NUL (\u0000) and its text must be valid UTF-8, so an
// unpaired UTF-16 surrogate cannot be stored either. Each failed the whole commit statement with a bare
// driver error (a 500, and for a group commit, every transaction sharing the statement). The API refuses
// such text at its edge (a body, a path, a query) and the store, the last wall every write passes whoever
// made it, refuses it again; both find it, and name the field, with the functions here.
import type { KubeObject } from '@flotilla/resources';
import { StoreError } from './errors';

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with `s` as stored text, or undefined when nothing is. */
export function unstorableText(s: string): string | undefined {
  if (s.includes('\u0000')) return 'a NUL character (\\u0000)';
  const m = LONE_SURROGATE.exec(s);
  if (m) return `a lone UTF-16 surrogate (\\u${m[0].charCodeAt(0).toString(16)})`;
  return undefined;
}

/**
 * The first key or string value in `v` that Postgres cannot store, as a field path and what is wrong with it.
 * A key that is not an identifier is quoted (`metadata.labels["app.kubernetes.io/x"]`), so a dotted key
 * cannot be read as a deeper path.
 */
export function findUnstorable(v: unknown, path = ''): { field: string; what: string } | undefined {
  if (typeof v === 'string') {
    const what = unstorableText(v);
    return what ? { field: path || '(the body)', what } : undefined;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = findUnstorable(v[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, child] of Object.entries(v)) {
      const field = /^[A-Za-z_$][\w$]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
      const what = unstorableText(k);
      if (what) return { field, what: `${what} in a key` };
      const found = findUnstorable(child, field);
      if (found) return found;
    }
  }
  return undefined;
}

/** Throws a 400 naming the field when an object about to be written holds text Postgres cannot store. */
export function assertStorable(objs: Iterable<KubeObject>): void {
  for (const obj of objs) {
    const field = findUnstorable(obj)?.field;
    if (!field) continue;
    const message = 'must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate';
    throw new StoreError(
      'BadRequest',
      `${obj.kind} "${obj.metadata?.name ?? ''}": ${field}: Invalid value: ${message}`,
      { kind: obj.kind, name: obj.metadata?.name },
      [{ field, reason: 'FieldValueInvalid', message: `Invalid value: ${message}` }],
    );
  }
}
