// Query parameters as Fastify parses them (a repeated key becomes a list), read the way Kubernetes does.
import { badRequest } from './status';

export type Query = Record<string, string | string[] | undefined>;

/** The last value of a parameter. */
export function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a repeated parameter (`command=sh&command=-c`). */
export function all(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A boolean parameter: `true` or `1`. */
export function flag(q: Query, key: string): boolean {
  const v = one(q, key);
  return v === 'true' || v === '1';
}

/** An integer parameter; absent or empty is undefined, anything else not an integer a 400 naming it. */
export function intParam(q: Query, key: string): number | undefined {
  const v = one(q, key);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw badRequest(`${key} must be an integer, got "${v}"`, [{ reason: 'FieldValueInvalid', field: key, message: `Invalid value: "${v}"` }]);
  return Number(v);
}

/** `?dryRun=All` (repeatable): the write is checked and answered but not stored. Any other value is a 400. */
export function dryRunParam(q: Query): boolean {
  const values = all(q, 'dryRun');
  for (const x of values) {
    if (x !== 'All')
      throw badRequest(`dryRun may only be "All", got "${x}"`, [{ reason: 'FieldValueNotSupported', field: 'dryRun', message: `Unsupported value: "${x}"` }]);
  }
  return values.length > 0;
}
