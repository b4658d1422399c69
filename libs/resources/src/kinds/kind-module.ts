// Everything the platform knows about one kind, in one value: how the API serves it, its schema,
// defaults, semantic validation, table columns, field selectors, protobuf message, where its pod
// template sits and its lifecycle hooks. The generic code (registry, validation, defaults, tables,
// OpenAPI, protobuf, the store's lifecycle, admission, the controller) reads these and never switches
// on a kind, as Kubernetes keeps a strategy per resource behind a generic registry.
import type { FieldErrors } from '../field-errors';
import type { MergeLists } from '../merge-lists';
import type { Rec } from '../pod-validation';
import type { ResourceType, Verb } from '../registry-types';
import type { ObjectSchema } from '../schema';
import type { Column } from '../table-columns';
import type { KubeObject } from '../types';

/** How the API serves a kind; everything omitted takes the Kubernetes convention. */
export interface ResourceDefinition {
  /** API group, omitted for the core group. */
  group?: string;
  /** Defaults to v1. */
  version?: string;
  kind: string;
  /** Defaults to the lower-case kind plus "s". */
  plural?: string;
  /** Cluster-scoped when true; namespaced otherwise. */
  cluster?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** Fields that field selectors accept besides metadata.name and metadata.namespace. */
  selectableFields?: string[];
  /** false for kinds whose payload is top-level data (ConfigMap, Secret): no generation. */
  hasSpec?: boolean;
}

/** Server-owned behaviour of writes and deletes that differs from the generic rules. */
export interface LifecycleHooks {
  /** The status a new object starts with (otherwise {} with a status subresource, else as given). */
  initialStatus?(obj: KubeObject): unknown;
  /** Server-owned changes to a new object, after identity and status are set. */
  onCreate?(out: KubeObject, submitted: KubeObject): void;
  /** Server-owned changes to an update; `sub` is the subresource written, if any. */
  onUpdate?(out: KubeObject, old: KubeObject, sub: 'status' | 'finalize' | undefined): void;
  /**
   * Graceful deletion: the seconds a deleted object stays terminating while something (the node's
   * agent) stops it; 0 removes it at once. Kinds without this hook are removed at once. While the
   * grace period recorded on the object is above 0, removing finalizers does not remove it.
   */
  deletionGracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** Finalizers kept in the object's own fields (Namespace spec.finalizers); they also hold a deletion. */
  specFinalizers?(obj: KubeObject): string[];
  /** Changes to an object when it is marked for deletion (a Namespace becomes Terminating). */
  onMarkDeleted?(out: KubeObject, obj: KubeObject): void;
}

export interface KindModule {
  resource: ResourceDefinition;
  /** The object's schema: type and enum checks, unknown fields, OpenAPI. */
  schema: ObjectSchema;
  /** The name rule for metadata.name and generateName; DNS-1123 subdomain when omitted. */
  nameCheck?: (name: string) => string[];
  /** Fills in Kubernetes defaults in place; must leave malformed shapes for validation to report. */
  defaults?: (obj: Rec) => void;
  /** Checks beyond the schema. Reads values defensively: type-invalid fields are already reported. */
  validate?: (errs: FieldErrors, obj: Rec, old: KubeObject | undefined) => void;
  /** The columns of `kubectl get`. */
  columns: Column[];
  /** Row conditions of a table row (kubectl reads Completed for pods). */
  rowConditions?: (obj: KubeObject) => { type: string; status: string }[] | undefined;
  /**
   * Lists that strategic merge patch and server-side apply merge rather than replace, beyond the
   * metadata lists every kind merges (merge-lists.ts); every other list is atomic.
   */
  mergeLists?: MergeLists;
  /** Selectable fields read from another path of the object (field → dotted path). */
  fieldPaths?: Record<string, string>;
  /** The protobuf message type kubectl's protobuf bodies of this kind decode to ("core.Pod"). */
  protobuf?: string;
  /**
   * The proto3 text of the messages only this kind uses (its own package line; it may name the shared
   * messages of libs/protobuf/src/schema, such as core.PodTemplateSpec), parsed into the one schema.
   */
  protobufSchema?: string;
  /**
   * Where the kind keeps the pods it runs: the dotted path of its pod template ({metadata, spec}),
   * '' when the object is itself a pod. Admission (pod security) reads the pod spec from there.
   */
  podTemplatePath?: string;
  lifecycle?: LifecycleHooks;
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The registry entry a definition describes. */
export function resourceTypeOf(d: ResourceDefinition): ResourceType {
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
