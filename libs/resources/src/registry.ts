// The served resource types, in discovery order, and lookups by path segment and by kind.
import type { ResourceType, Verb } from './registry-types';

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Def {
  group?: string;
  version?: string;
  kind: string;
  plural?: string;
  cluster?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  selectableFields?: string[];
  hasSpec?: boolean;
}

function define(d: Def): ResourceType {
  const subresources = d.subresources ?? [];
  return {
    group: d.group ?? '',
    version: d.version ?? 'v1',
    kind: d.kind,
    listKind: `${d.kind}List`,
    plural: d.plural ?? `${d.kind.toLowerCase()}s`,
    singular: d.kind.toLowerCase(),
    namespaced: !d.cluster,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: [...ALL_VERBS],
    subresources,
    selectableFields: d.selectableFields ?? [],
    hasSpec: d.hasSpec ?? true,
    hasStatus: subresources.includes('status'),
  };
}

const APPS = 'apps';
const BATCH = 'batch';
const RBAC = 'rbac.authorization.k8s.io';

export const resourceTypes: ResourceType[] = [
  define({ kind: 'Namespace', cluster: true, shortNames: ['ns'] }),
  define({
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'log', 'exec', 'eviction', 'portforward'],
    selectableFields: ['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'status.podIP'],
  }),
  define({ kind: 'Service', shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  define({ kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'], hasSpec: false }),
  define({ kind: 'ConfigMap', shortNames: ['cm'], hasSpec: false }),
  define({ kind: 'Secret', hasSpec: false, selectableFields: ['type'] }),
  define({ kind: 'Node', cluster: true, shortNames: ['no'], subresources: ['status'] }),
  define({
    kind: 'Event',
    shortNames: ['ev'],
    hasSpec: false,
    selectableFields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'type',
      'source',
    ],
  }),
  define({ kind: 'ResourceQuota', shortNames: ['quota'], subresources: ['status'] }),
  define({ kind: 'LimitRange', shortNames: ['limits'] }),
  define({ kind: 'ServiceAccount', shortNames: ['sa'], subresources: ['token'], hasSpec: false }),
  define({ kind: 'PersistentVolumeClaim', shortNames: ['pvc'], subresources: ['status'] }),
  define({ group: APPS, kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  define({ group: APPS, kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  define({ group: BATCH, kind: 'Job', categories: ['all'], subresources: ['status'] }),
  define({ group: BATCH, kind: 'CronJob', shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  define({ group: 'coordination.k8s.io', kind: 'Lease' }),
  define({ group: 'networking.k8s.io', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], subresources: ['status'] }),
  define({ group: RBAC, kind: 'Role', hasSpec: false }),
  define({ group: RBAC, kind: 'RoleBinding', hasSpec: false }),
  define({ group: RBAC, kind: 'ClusterRole', cluster: true, hasSpec: false }),
  define({ group: RBAC, kind: 'ClusterRoleBinding', cluster: true, hasSpec: false }),
];

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

const byPath = new Map<string, ResourceType>(resourceTypes.map((t) => [`${t.group}/${t.version}/${t.plural}`, t]));
const byKind = new Map<string, ResourceType>(resourceTypes.map((t) => [`${apiVersionOf(t)}/${t.kind}`, t]));

export function resourceFor(group: string, version: string, plural: string): ResourceType | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Every served group/version, core first, in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const t of resourceTypes) {
    const k = apiVersionOf(t);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ group: t.group, version: t.version });
  }
  return out;
}
