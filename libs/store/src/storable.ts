// What Postgres can hold: a jsonb value cannot contain NUL (\u0000) and its text must be valid UTF-8, so an
// unpaired UTF-16 surrogate cannot be stored either. Each failed the whole commit statement with a bare
// driver error (a 500, and for a group commit, every transaction sharing the statement). The store is the
// last wall every write passes, whoever made it, so it refuses such a write on its own, naming the field.
import type { KubeObject } from '@flotilla/resources';
import { StoreError } from './errors';

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. The NUL
// is the point of the pattern, so the control-character rule does not apply here.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (key or value) Postgres cannot store, e.g. `spec.containers[0].env[1].value`. */
export function unstorablePath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '<root>' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = unstorablePath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (UNSTORABLE.test(k)) return here;
      const p = unstorablePath(v, here);
      if (p) return p;
    }
  }
  return undefined;
}

/** Throws a 400 naming the field when an object about to be written holds text Postgres cannot store. */
export function assertStorable(objs: Iterable<KubeObject>): void {
  for (const obj of objs) {
    const field = unstorablePath(obj);
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
