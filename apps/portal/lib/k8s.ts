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

/** Order of events on every page: warnings first, then newest first. */
export function warningsThenNewest(a: KubeEvent, b: KubeEvent): number {
  const w = Number(b.type === 'Warning') - Number(a.type === 'Warning');
  return w !== 0 ? w : eventTime(b).localeCompare(eventTime(a));
}

export function sortEvents(events: KubeEvent[]): KubeEvent[] {
  return [...events].sort(warningsThenNewest);
}

/** Container names of a pod spec, init containers and sidecars included. */
export function containerNames(spec: Pick<PodSpec, 'containers' | 'initContainers'>): string[] {
  return [...(spec.initContainers ?? []).map((c) => c.name), ...spec.containers.map((c) => c.name)];
}
