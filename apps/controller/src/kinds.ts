// The resource types the controller reads and writes, looked up once from the registry (which reads
// the kind modules' list); their store keys are derived from them, never written out a second time.
import { resourceFor, resourceTypes } from '@flotilla/resources';
import type { ResourceType } from '@flotilla/resources';

/** A registered type by group and plural (a controller of a new kind looks its type up once with this). */
export function typeFor(group: string, plural: string): ResourceType {
  const t = resourceFor(group, 'v1', plural);
  if (!t) throw new Error(`resource ${group || 'core'}/${plural} is not registered in @flotilla/resources`);
  return t;
}

export const T = {
  namespace: typeFor('', 'namespaces'),
  pod: typeFor('', 'pods'),
  service: typeFor('', 'services'),
  endpoints: typeFor('', 'endpoints'),
  node: typeFor('', 'nodes'),
  event: typeFor('', 'events'),
  deployment: typeFor('apps', 'deployments'),
  replicaSet: typeFor('apps', 'replicasets'),
  job: typeFor('batch', 'jobs'),
  cronJob: typeFor('batch', 'cronjobs'),
  lease: typeFor('coordination.k8s.io', 'leases'),
} as const;

type TypeName = keyof typeof T;

/** Store keys ("apps/replicasets") of the same types, for cache reads and change routing. */
export const R = Object.fromEntries(Object.entries(T).map(([name, t]) => [name, resourceKeyOf(t)])) as { readonly [K in TypeName]: string };

const byKey = new Map<string, ResourceType>(resourceTypes.map((t) => [`${t.group || 'core'}/${t.plural}`, t]));
const byKind = new Map<string, ResourceType>(resourceTypes.map((t) => [t.kind, t]));

export function typeOfResource(resource: string): ResourceType | undefined {
  return byKey.get(resource);
}

/** Kinds are unique among the served types, so a plan's `kind` names its type. */
export function typeOfKind(kind: string): ResourceType | undefined {
  return byKind.get(kind);
}

export function resourceKeyOf(t: ResourceType): string {
  return `${t.group || 'core'}/${t.plural}`;
}
