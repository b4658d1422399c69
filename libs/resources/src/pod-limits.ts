// Bounds on what one pod may ask a node to start, checked at admission (422 naming the field) and again by the
// agent with the values resolved (env from Secrets and ConfigMaps), so no pod the API stored can make a node
// create thousands of containers or hand the kernel an exec it refuses. The byte bounds are Linux's: exec fails
// (E2BIG) when one argument or environment string exceeds MAX_ARG_STRLEN, or when all of them together exceed
// ARG_MAX (a quarter of the stack limit, 2 MiB by default, shared with the image's own environment).
import { childPath, indexPath } from './schema';

/** Containers and init containers together in one pod. */
export const MAX_POD_CONTAINERS = 100;
/** Linux's MAX_ARG_STRLEN (32 pages): one command or args element, or one `NAME=value` environment string. */
export const MAX_EXEC_STRING_BYTES = 128 * 1024;
/** Half of Linux's default ARG_MAX, leaving the rest to the image's environment and the pointers. */
export const MAX_EXEC_BYTES = 1024 * 1024;

export interface PodLimitProblem {
  field: string;
  reason: 'FieldValueTooMany' | 'FieldValueTooLong';
  message: string;
}

const tooLong = (field: string, max: number): PodLimitProblem => ({
  field,
  reason: 'FieldValueTooLong',
  message: `Too long: may not be more than ${max} bytes`,
});

const bytes = (s: string): number => Buffer.byteLength(s) + 1;

/**
 * What one container would exec with: its command and args, and its environment as `NAME=value` (the values
 * admission sees, or the resolved ones on the node). Problems name the element, or the list that is largest
 * when only the total is over.
 */
export function execProblems(
  path: string,
  command: readonly unknown[],
  args: readonly unknown[],
  env: Iterable<readonly [string, string]>,
  envField: (name: string, index: number) => string = (_name, i) => childPath(indexPath(childPath(path, 'env'), i), 'value'),
): PodLimitProblem[] {
  const out: PodLimitProblem[] = [];
  const totals = { command: 0, args: 0, env: 0 };
  for (const [list, items] of [
    ['command', command],
    ['args', args],
  ] as const) {
    items.forEach((v, i) => {
      if (typeof v !== 'string') return;
      const n = bytes(v);
      totals[list] += n;
      if (n > MAX_EXEC_STRING_BYTES) out.push(tooLong(indexPath(childPath(path, list), i), MAX_EXEC_STRING_BYTES));
    });
  }
  let i = 0;
  for (const [name, value] of env) {
    const n = bytes(`${name}=${value}`);
    totals.env += n;
    if (n > MAX_EXEC_STRING_BYTES) out.push(tooLong(envField(name, i), MAX_EXEC_STRING_BYTES));
    i++;
  }
  const total = totals.command + totals.args + totals.env;
  if (total > MAX_EXEC_BYTES && out.length === 0) {
    const largest = (Object.keys(totals) as (keyof typeof totals)[]).reduce((a, b) => (totals[b] > totals[a] ? b : a));
    out.push({
      field: childPath(path, largest),
      reason: 'FieldValueTooLong',
      message: `Too long: command, args and env together may not be more than ${MAX_EXEC_BYTES} bytes (they are ${total})`,
    });
  }
  return out;
}

interface SpecLike {
  containers?: unknown;
  initContainers?: unknown;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The pod-level bounds: how many containers, and each container's exec size from its literal values. */
export function podLimitProblems(spec: SpecLike, path = 'spec'): PodLimitProblem[] {
  const containers = list(spec.containers);
  const inits = list(spec.initContainers);
  const out: PodLimitProblem[] = [];
  if (containers.length + inits.length > MAX_POD_CONTAINERS) {
    const field = childPath(path, containers.length > MAX_POD_CONTAINERS ? 'containers' : 'initContainers');
    const counted = containers.length > MAX_POD_CONTAINERS ? containers.length : containers.length + inits.length;
    const what = containers.length > MAX_POD_CONTAINERS ? '' : ' containers and init containers together';
    out.push({ field, reason: 'FieldValueTooMany', message: `Too many: ${counted}: must have at most ${MAX_POD_CONTAINERS} items${what}` });
    // Each container's own check would repeat for thousands: the count is the answer.
    return out;
  }
  for (const [field, items] of [
    ['initContainers', inits],
    ['containers', containers],
  ] as const) {
    items.forEach((c, i) => {
      const o = obj(c);
      if (!o) return;
      const env = list(o.env).flatMap((e): [string, string][] => {
        const v = obj(e);
        return [[typeof v?.name === 'string' ? v.name : '', typeof v?.value === 'string' ? v.value : '']];
      });
      out.push(...execProblems(indexPath(childPath(path, field), i), list(o.command), list(o.args), env));
    });
  }
  return out;
}
