// ResourceQuota: what an object adds to a namespace's usage, the usage itself (counted in Postgres
// inside the writing transaction, after the quota row is locked, so concurrent creates cannot both
// take the last slot), and Kubernetes' wording when a write would exceed a quota.
import { formatCpu, formatMemory, KubeObject, parseQuantity } from '@flotilla/resources';
import type { WriteTx } from '@flotilla/store';

export type Usage = Record<string, number>;

const CORE_COUNTED = new Set(['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'resourcequotas', 'replicationcontrollers']);
const COMPUTE = new Set(['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory']);

/** The store resource key ("core/pods", "apps/deployments") a counting quota key counts; undefined for other keys. */
export function countedResource(key: string): string | undefined {
  if (CORE_COUNTED.has(key)) return `core/${key}`;
  const m = /^count\/([a-z0-9-]+)(?:\.(.+))?$/.exec(key);
  if (!m) return undefined;
  return `${m[2] ?? 'core'}/${m[1]}`;
}

export function isTracked(key: string): boolean {
  return COMPUTE.has(key) || countedResource(key) !== undefined;
}

interface Resources {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}
interface PodSpec {
  containers?: { name?: string; resources?: Resources }[];
  initContainers?: { name?: string; resources?: Resources }[];
}

/** A pod's effective compute: the larger of the containers' sum and any one init container (Kubernetes' rule). */
export function podCompute(spec: PodSpec | undefined): { usage: Usage; missing: Map<string, string[]> } {
  const usage: Usage = {};
  const missing = new Map<string, string[]>();
  const get = (c: { resources?: Resources }, k: string): number | undefined => {
    const [kind, r] = k.includes('.') ? (k.split('.') as ['requests' | 'limits', string]) : (['requests', k] as const);
    const v = c.resources?.[kind]?.[r];
    return v === undefined ? undefined : parseQuantity(v);
  };
  for (const k of COMPUTE) {
    let sum = 0;
    for (const c of spec?.containers ?? []) {
      const v = get(c, k);
      if (v === undefined) missing.set(k, [...(missing.get(k) ?? []), c.name ?? '']);
      else sum += v;
    }
    let init = 0;
    for (const c of spec?.initContainers ?? []) init = Math.max(init, get(c, k) ?? 0);
    usage[k] = Math.max(sum, init);
  }
  return { usage, missing };
}

/** What creating `obj` (stored under resource key `rk`) adds for each of the quota's keys. */
export function deltaFor(rk: string, obj: KubeObject, hard: Record<string, unknown>): { delta: Usage; missing: string[] } {
  const delta: Usage = {};
  const missing: string[] = [];
  const compute = rk === 'core/pods' ? podCompute(obj.spec as PodSpec) : undefined;
  for (const key of Object.keys(hard)) {
    if (countedResource(key) === rk) delta[key] = 1;
    else if (compute && COMPUTE.has(key)) {
      const names = compute.missing.get(key);
      if (names?.length) missing.push(`must specify ${key} for: ${names.join(',')}`);
      delta[key] = compute.usage[key];
    }
  }
  return { delta, missing };
}

/** Current usage of every tracked key in `hard`, read in the caller's transaction. */
export async function usageInTx(tx: WriteTx, namespace: string, hard: Record<string, unknown>): Promise<Usage> {
  const used: Usage = {};
  const counts = new Map<string, number>();
  for (const key of Object.keys(hard)) {
    const rk = countedResource(key);
    if (!rk) continue;
    if (!counts.has(rk)) counts.set(rk, await tx.countForQuota(rk, namespace));
    used[key] = counts.get(rk) ?? 0;
  }
  if (Object.keys(hard).some((k) => COMPUTE.has(k))) {
    const total: Usage = {};
    for (const spec of await tx.podSpecsForQuota(namespace)) {
      const { usage } = podCompute(spec as PodSpec | undefined);
      for (const [k, v] of Object.entries(usage)) total[k] = (total[k] ?? 0) + v;
    }
    for (const k of Object.keys(hard)) if (COMPUTE.has(k)) used[k] = total[k] ?? 0;
  }
  return used;
}

export function formatAmount(key: string, v: number): string {
  if (key.endsWith('cpu')) return formatCpu(v);
  if (key.endsWith('memory')) return formatMemory(v);
  return String(Math.round(v));
}

/** `exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5`, or undefined when it fits. */
export function exceeded(quotaName: string, hard: Record<string, unknown>, used: Usage, delta: Usage): string | undefined {
  const over = Object.keys(delta)
    .filter((k) => delta[k] > 0 && isTracked(k) && (used[k] ?? 0) + delta[k] > parseQuantity(hard[k] as string | number) + 1e-9)
    .sort();
  if (over.length === 0) return undefined;
  const list = (f: (k: string) => string) => over.map((k) => `${k}=${f(k)}`).join(',');
  return `exceeded quota: ${quotaName}, requested: ${list((k) => formatAmount(k, delta[k]))}, used: ${list((k) => formatAmount(k, used[k] ?? 0))}, limited: ${list((k) => String(hard[k]))}`;
}

/** status.used as Kubernetes prints it. */
export function formatUsage(hard: Record<string, unknown>, used: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(hard)) if (isTracked(k)) out[k] = formatAmount(k, used[k] ?? 0);
  return out;
}
