// Which lists merge, and by which key, for each kind we serve: the `patchStrategy` /
// `patchMergeKey` struct tags of k8s.io/api, written out as dotted paths within the object
// (list items add no segment: `spec.containers.ports` is the ports list of any container).
// A list that is not listed here is atomic: a patch replaces it wholesale.

export type ListStrategy =
  /** Items are maps merged by the value of `mergeKey`. */
  | { type: 'map'; mergeKey: string }
  /** Items are primitives merged as an unordered set (finalizers). */
  | { type: 'set' };

export type PatchMeta = ReadonlyMap<string, ListStrategy>;

const byKey = (mergeKey: string): ListStrategy => ({ type: 'map', mergeKey });
const SET: ListStrategy = { type: 'set' };

const OBJECT_META: Record<string, ListStrategy> = {
  finalizers: SET,
  ownerReferences: byKey('uid'),
};

// envFrom, command, args, resizePolicy and everything else in a container are atomic.
const CONTAINER: Record<string, ListStrategy> = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
};

// tolerations, readinessGates and affinity terms are atomic.
const POD_SPEC: Record<string, ListStrategy> = {
  volumes: byKey('name'),
  imagePullSecrets: byKey('name'),
  hostAliases: byKey('ip'),
  topologySpreadConstraints: byKey('topologyKey'),
  resourceClaims: byKey('name'),
  schedulingGates: byKey('name'),
  ...nest('containers', byKey('name'), CONTAINER),
  ...nest('initContainers', byKey('name'), CONTAINER),
  ...nest('ephemeralContainers', byKey('name'), CONTAINER),
};

const POD_STATUS: Record<string, ListStrategy> = {
  conditions: byKey('type'),
  podIPs: byKey('ip'),
  hostIPs: byKey('ip'),
};

const CONDITIONS: Record<string, ListStrategy> = { conditions: byKey('type') };

function nest(list: string, strategy: ListStrategy, item: Record<string, ListStrategy>): Record<string, ListStrategy> {
  return { [list]: strategy, ...under(list, item) };
}

function under(prefix: string, fields: Record<string, ListStrategy>): Record<string, ListStrategy> {
  const out: Record<string, ListStrategy> = {};
  for (const [path, strategy] of Object.entries(fields)) out[`${prefix}.${path}`] = strategy;
  return out;
}

function podTemplate(prefix: string): Record<string, ListStrategy> {
  return {
    ...under(`${prefix}.metadata`, OBJECT_META),
    ...under(`${prefix}.spec`, POD_SPEC),
  };
}

function kind(...parts: Record<string, ListStrategy>[]): PatchMeta {
  return new Map(Object.entries(Object.assign({}, under('metadata', OBJECT_META), ...parts)));
}

const WORKLOAD = kind(podTemplate('spec.template'), under('status', CONDITIONS));
const PLAIN = kind();

/**
 * Kinds that accept application/strategic-merge-patch+json. Kubernetes answers 415 for others
 * (custom resources); we fall back to JSON merge patch for them.
 * Atomic in Kubernetes and therefore absent: Node spec.taints, Endpoints subsets, RBAC rules and
 * subjects, Ingress rules, Namespace spec.finalizers, StatefulSet volumeClaimTemplates.
 */
const KINDS: ReadonlyMap<string, PatchMeta> = new Map<string, PatchMeta>([
  ['Pod', kind(under('spec', POD_SPEC), under('status', POD_STATUS))],
  ['PodTemplate', kind(podTemplate('template'))],
  ['Deployment', WORKLOAD],
  ['ReplicaSet', WORKLOAD],
  ['ReplicationController', WORKLOAD],
  ['StatefulSet', WORKLOAD],
  ['DaemonSet', WORKLOAD],
  ['Job', WORKLOAD],
  ['CronJob', kind(podTemplate('spec.jobTemplate.spec.template'), under('spec.jobTemplate.metadata', OBJECT_META))],
  // Kubernetes keys service ports by port+protocol for server-side apply; the patch merge key is port.
  ['Service', kind({ 'spec.ports': byKey('port') }, under('status', CONDITIONS))],
  ['Node', kind({ 'spec.podCIDRs': SET }, { 'status.conditions': byKey('type'), 'status.addresses': byKey('type') })],
  ['Namespace', kind(under('status', CONDITIONS))],
  ['PersistentVolumeClaim', kind(under('status', CONDITIONS))],
  ['ServiceAccount', kind({ secrets: byKey('name') })],
  ...[
    'ConfigMap',
    'Secret',
    'Endpoints',
    'Ingress',
    'Lease',
    'ResourceQuota',
    'LimitRange',
    'Event',
    'Role',
    'ClusterRole',
    'RoleBinding',
    'ClusterRoleBinding',
    'Binding',
    'Scale',
    'PersistentVolume',
  ].map((k): [string, PatchMeta] => [k, PLAIN]),
]);

/** The list strategies of a kind, or undefined when the kind has no strategic-merge metadata. */
export function patchMetaFor(kindName: string): PatchMeta | undefined {
  return KINDS.get(kindName);
}

export function supportsStrategicMerge(kindName: string): boolean {
  return KINDS.has(kindName);
}
