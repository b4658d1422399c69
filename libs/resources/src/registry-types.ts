// The contract between the resource registry and its users (API router, discovery, OpenAPI, tables).

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceType {
  /** API group, '' for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower-case: the path segment ("deployments"). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  /** Subresources served for this type, e.g. ['status','scale'] or ['status','binding','log','eviction']. */
  subresources: string[];
  /** Fields that field selectors accept besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** true when the object has spec (generation bumps on spec change) vs top-level data (ConfigMap, Secret). */
  hasSpec: boolean;
  /** true when the type has a status subresource: main-resource writes ignore status, /status writes only status. */
  hasStatus: boolean;
}

/** One bad field, as a Kubernetes StatusCause. */
export interface FieldError {
  /** JSONPath-like field, e.g. "spec.template.spec.containers[0].image". */
  field: string;
  /** FieldValueRequired | FieldValueInvalid | FieldValueNotSupported | FieldValueDuplicate | FieldValueTooLong | FieldValueForbidden | FieldValueTypeInvalid */
  reason: string;
  message: string;
}
