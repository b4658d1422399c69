// What a Deployment revision changed against the one before it, in a few words per change: revisions that
// differ only in env, resources or a restart looked identical when the history showed images alone.
import type { Container, EnvVar, PodSpec, ReplicaSet } from './k8s';
import { RESTARTED_AT } from './k8s';

function envValue(e: EnvVar): string {
  if (e.value !== undefined) return e.value;
  const from = e.valueFrom;
  if (from?.secretKeyRef) return `(Secret ${from.secretKeyRef.name} ${from.secretKeyRef.key})`;
  if (from?.configMapKeyRef) return `(ConfigMap ${from.configMapKeyRef.name} ${from.configMapKeyRef.key})`;
  return from ? '(from a field)' : '';
}

/** "a → b", "x added", "x removed" for every key whose value differs between two flat maps. */
function mapChanges(what: string, before: Record<string, string>, after: Record<string, string>, show: (k: string, v: string) => string): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[k] === after[k]) continue;
    if (before[k] === undefined) out.push(`${what} ${show(k, after[k])}`);
    else if (after[k] === undefined) out.push(`${what} ${k} removed`);
    else out.push(`${what} ${k}: ${before[k]} → ${after[k]}`);
  }
  return out;
}

function resourcesOf(c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [kind, m] of [
    ['request', c.resources?.requests],
    ['limit', c.resources?.limits],
  ] as const)
    for (const [k, v] of Object.entries(m ?? {})) out[`${k} ${kind}`] = String(v);
  return out;
}

const HANDLED = new Set(['name', 'image', 'env', 'resources']);

function containerChanges(a: Container, b: Container): string[] {
  const prefix = (s: string) => `${b.name}: ${s}`;
  const out: string[] = [];
  if (a.image !== b.image) out.push(prefix(`image ${a.image} → ${b.image}`));
  const env = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, envValue(e)]));
  out.push(...mapChanges('env', env(a), env(b), (k, v) => `${k}=${v}`).map(prefix));
  out.push(...mapChanges('', resourcesOf(a), resourcesOf(b), (k, v) => `${k} ${v}`).map((s) => prefix(s.trim())));
  const rest = (c: Container) => JSON.stringify(Object.entries(c).filter(([k]) => !HANDLED.has(k)));
  if (rest(a) !== rest(b)) out.push(prefix('other settings (command, ports, probes, mounts…)'));
  return out;
}

/** The changes from `older` to `newer`; for the first revision, its images. */
export function revisionChanges(newer: ReplicaSet, older: ReplicaSet | undefined): string[] {
  const b = newer.spec.template;
  if (!older) return b.spec.containers.map((c) => `${c.name}: ${c.image}`);
  const a = older.spec.template;
  const out: string[] = [];
  const containers = (s: PodSpec) => new Map([...(s.initContainers ?? []), ...s.containers].map((c) => [c.name, c]));
  const ca = containers(a.spec);
  const cb = containers(b.spec);
  for (const [name, c] of cb) {
    const was = ca.get(name);
    out.push(...(was ? containerChanges(was, c) : [`${name}: added (${c.image})`]));
  }
  for (const name of ca.keys()) if (!cb.has(name)) out.push(`${name}: removed`);
  if (a.metadata?.annotations?.[RESTARTED_AT] !== b.metadata?.annotations?.[RESTARTED_AT]) out.push('restarted');
  const podRest = (s: PodSpec) => JSON.stringify({ ...s, containers: undefined, initContainers: undefined });
  if (podRest(a.spec) !== podRest(b.spec)) out.push('pod settings (volumes, scheduling, security…)');
  return out.length ? out : ['no change to the pod template'];
}
