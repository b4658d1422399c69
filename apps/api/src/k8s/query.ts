// Query parameters as Fastify parses them (a repeated key becomes a list), read the way Kubernetes does.
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
