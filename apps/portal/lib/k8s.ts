// The API paths the portal reads, and the few views of objects it shows that kubectl has no column for.
// The object types are the platform's own (@flotilla/resources), so the portal reads what the API stores.
import type { Deployment, KubeEvent, KubeObject, PodSpec, ReplicaSet } from '@flotilla/resources';

export type {
  ConfigMap,
  Container,
  ContainerStatus,
  Deployment,
  Endpoints,
  EnvVar,
  Ingress,
  Job,
  KubeEvent,
  KubeObject,
  Node,
  Pod,
  PodSpec,
  Probe,
  ReplicaSet,
  ResourceQuota,
  RoleBinding,
  Secret,
  Service,
} from '@flotilla/resources';

/** A list as the API answers it; the portal reads only the items and the list's metadata. */
export interface List<T extends KubeObject = KubeObject> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** An object's name: always set on what the API answers (the types allow none for generateName). */
export function nameOf(o: KubeObject): string {
  return o.metadata.name ?? '';
}

const enc = encodeURIComponent;

/** Path of a namespaced collection (or one object in it). `group` '' is the core group. */
export function nsPath(group: string, plural: string, ns: string, name?: string, sub?: string): string {
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  return `${base}/namespaces/${enc(ns)}/${plural}${name ? `/${enc(name)}` : ''}${sub ? `/${sub}` : ''}`;
}

export const REVISION = 'deployment.kubernetes.io/revision';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The ReplicaSets a Deployment controls, newest revision first. */
export function revisionsOf(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  return rss
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid && o.controller !== false))
    .sort((a, b) => Number(b.metadata.annotations?.[REVISION] ?? 0) - Number(a.metadata.annotations?.[REVISION] ?? 0));
}

/** When an event last happened, as kubectl's LAST SEEN reads it. */
export function eventTime(e: KubeEvent): string {
  return e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp || '';
}

/**
 * How long a warning counts as current. Events carry no "resolved" mark: a problem that is still there
 * repeats (the kubelet, the controllers and the agent re-emit it, bumping lastTimestamp and count), so a
 * warning not seen for this long is taken as resolved. It stays in the list, in time order, not pinned.
 */
export const WARNING_WINDOW_MINUTES = 10;

/** A warning seen within the last WARNING_WINDOW_MINUTES. */
export function isActiveWarning(e: KubeEvent, now = Date.now()): boolean {
  if (e.type !== 'Warning') return false;
  const t = Date.parse(eventTime(e));
  return Number.isNaN(t) || now - t < WARNING_WINDOW_MINUTES * 60_000;
}

/** Order of events on every page: current warnings first, then newest first. */
export function warningsThenNewest(a: KubeEvent, b: KubeEvent, now = Date.now()): number {
  const w = Number(isActiveWarning(b, now)) - Number(isActiveWarning(a, now));
  return w !== 0 ? w : eventTime(b).localeCompare(eventTime(a));
}

export function sortEvents(events: KubeEvent[]): KubeEvent[] {
  const now = Date.now();
  return [...events].sort((a, b) => warningsThenNewest(a, b, now));
}

/** Container names of a pod spec, init containers and sidecars included. */
export function containerNames(spec: Pick<PodSpec, 'containers' | 'initContainers'>): string[] {
  return [...(spec.initContainers ?? []).map((c) => c.name), ...spec.containers.map((c) => c.name)];
}
