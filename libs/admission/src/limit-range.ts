// LimitRange: defaults for containers that leave out requests or limits, and the min/max bounds of
// `type: Container` items, as Kubernetes' LimitRanger admission applies them.
import { formatCpu, formatMemory, KubeObject, parseQuantity } from '@flotilla/resources';

interface LimitItem {
  type?: string;
  default?: Record<string, string | number>;
  defaultRequest?: Record<string, string | number>;
  max?: Record<string, string | number>;
  min?: Record<string, string | number>;
}
interface Resources {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

function containersOf(pod: KubeObject): { name?: string; resources?: Resources }[] {
  const spec = (pod.spec ?? {}) as { containers?: { name?: string; resources?: Resources }[]; initContainers?: { name?: string; resources?: Resources }[] };
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** Fills missing requests/limits from the namespace's LimitRanges (mutates `pod`). */
export function applyLimitRangeDefaults(pod: KubeObject, ranges: KubeObject[]): void {
  for (const lr of ranges) {
    for (const item of ((lr.spec ?? {}) as { limits?: LimitItem[] }).limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const c of containersOf(pod)) {
        const res: Resources = (c.resources ??= {});
        for (const [r, v] of Object.entries(item.default ?? {})) if (res.limits?.[r] === undefined) (res.limits ??= {})[r] = v;
        const requests = { ...(item.default ?? {}), ...(item.defaultRequest ?? {}) };
        for (const [r, v] of Object.entries(requests)) {
          if (res.requests?.[r] === undefined) (res.requests ??= {})[r] = v;
        }
      }
    }
  }
}

function fmt(resource: string, v: number): string {
  return resource === 'cpu' ? formatCpu(v) : resource === 'memory' ? formatMemory(v) : String(v);
}

/** Min/max violations, in Kubernetes' words (empty = within range). */
export function limitRangeViolations(pod: KubeObject, ranges: KubeObject[]): string[] {
  const out: string[] = [];
  for (const lr of ranges) {
    for (const item of ((lr.spec ?? {}) as { limits?: LimitItem[] }).limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const c of containersOf(pod)) {
        for (const [r, max] of Object.entries(item.max ?? {})) {
          const lim = c.resources?.limits?.[r];
          if (lim === undefined) out.push(`maximum ${r} usage per Container is ${max}, but no limit is specified`);
          else if (parseQuantity(lim) > parseQuantity(max))
            out.push(`maximum ${r} usage per Container is ${fmt(r, parseQuantity(max))}, but limit is ${fmt(r, parseQuantity(lim))}`);
        }
        for (const [r, min] of Object.entries(item.min ?? {})) {
          const req = c.resources?.requests?.[r];
          if (req === undefined) out.push(`minimum ${r} usage per Container is ${min}, but request is not specified`);
          else if (parseQuantity(req) < parseQuantity(min))
            out.push(`minimum ${r} usage per Container is ${fmt(r, parseQuantity(min))}, but request is ${fmt(r, parseQuantity(req))}`);
        }
      }
    }
  }
  return out;
}
