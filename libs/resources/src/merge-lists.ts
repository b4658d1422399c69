// Which lists merge, and by which key, under strategic merge patch and server-side apply: the
// `patchStrategy` / `patchMergeKey` struct tags of k8s.io/api, written as dotted paths within the
// object (list items add no segment: `spec.containers.ports` is the ports list of any container).
// A list not named is atomic: a patch replaces it wholesale. Each kind module names its own lists
// (`mergeLists`) from the shared pieces here; @flotilla/patch reads them.

export type ListStrategy =
  /** Items are maps merged by the value of `mergeKey`. */
  | { type: 'map'; mergeKey: string }
  /** Items are primitives merged as an unordered set (finalizers). */
  | { type: 'set' };

export type MergeLists = Record<string, ListStrategy>;

export const byKey = (mergeKey: string): ListStrategy => ({ type: 'map', mergeKey });
export const SET: ListStrategy = { type: 'set' };

/** Every kind's metadata lists. */
export const OBJECT_META_LISTS: MergeLists = {
  finalizers: SET,
  ownerReferences: byKey('uid'),
};

// envFrom, command, args, resizePolicy and everything else in a container are atomic.
const CONTAINER: MergeLists = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
};

export function listsUnder(prefix: string, fields: MergeLists): MergeLists {
  const out: MergeLists = {};
  for (const [path, strategy] of Object.entries(fields)) out[`${prefix}.${path}`] = strategy;
  return out;
}

function nest(list: string, strategy: ListStrategy, item: MergeLists): MergeLists {
  return { [list]: strategy, ...listsUnder(list, item) };
}

// tolerations, readinessGates and affinity terms are atomic.
export const POD_SPEC: MergeLists = {
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

export const POD_STATUS: MergeLists = {
  conditions: byKey('type'),
  podIPs: byKey('ip'),
  hostIPs: byKey('ip'),
};

export const CONDITIONS: MergeLists = { conditions: byKey('type') };

/** The lists of a pod template at `prefix` (its metadata and pod spec). */
export function podTemplateLists(prefix: string): MergeLists {
  return { ...listsUnder(`${prefix}.metadata`, OBJECT_META_LISTS), ...listsUnder(`${prefix}.spec`, POD_SPEC) };
}

/** A workload's lists: its pod template at spec.template and its status conditions. */
export const WORKLOAD_LISTS: MergeLists = { ...podTemplateLists('spec.template'), ...listsUnder('status', CONDITIONS) };
