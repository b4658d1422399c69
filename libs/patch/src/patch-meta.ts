// Which lists merge, and by which key, for each kind we serve: each kind module's `mergeLists`
// (@flotilla/resources, merge-lists.ts) plus the metadata lists every kind merges. A list that is not
// named is atomic: a patch replaces it wholesale.
import { kindModules, listsUnder, OBJECT_META_LISTS, podTemplateLists, WORKLOAD_LISTS, type ListStrategy, type MergeLists } from '@flotilla/resources';

export type { ListStrategy };

export type PatchMeta = ReadonlyMap<string, ListStrategy>;

function meta(lists: MergeLists = {}): PatchMeta {
  return new Map(Object.entries({ ...listsUnder('metadata', OBJECT_META_LISTS), ...lists }));
}

/**
 * Bodies that take strategic merge patch without being served kinds here: subresource bodies
 * (Binding, Scale), and Kubernetes' other built-in kinds, so their tags are ready when they are served.
 */
const NOT_SERVED: [string, PatchMeta][] = [
  ['PodTemplate', meta(podTemplateLists('template'))],
  ['ReplicationController', meta(WORKLOAD_LISTS)],
  ['StatefulSet', meta(WORKLOAD_LISTS)],
  ['DaemonSet', meta(WORKLOAD_LISTS)],
  ['Binding', meta()],
  ['Scale', meta()],
  ['PersistentVolume', meta()],
];

/**
 * Kinds that accept application/strategic-merge-patch+json. Kubernetes answers 415 for others
 * (custom resources); we fall back to JSON merge patch for them.
 * Atomic in Kubernetes and therefore absent: Node spec.taints, Endpoints subsets, RBAC rules and
 * subjects, Ingress rules, Namespace spec.finalizers, StatefulSet volumeClaimTemplates.
 */
const KINDS: ReadonlyMap<string, PatchMeta> = new Map<string, PatchMeta>([
  ...kindModules.map((m): [string, PatchMeta] => [m.resource.kind, meta(m.mergeLists)]),
  ...NOT_SERVED,
]);

/** The list strategies of a kind, or undefined when the kind has no strategic-merge metadata. */
export function patchMetaFor(kindName: string): PatchMeta | undefined {
  return KINDS.get(kindName);
}

export function supportsStrategicMerge(kindName: string): boolean {
  return KINDS.has(kindName);
}
