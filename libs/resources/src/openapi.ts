// OpenAPI v3 documents (/openapi/v3 and one document per group-version), generated from the kind
// schemas. Built on first request and cached: they are large, and most processes never serve them.
import { createHash } from 'node:crypto';
import { resourceTypes, schemaFor } from './registry';
import type { ResourceType } from './registry-types';
import { listMeta } from './schemas';
import type { ArraySchema, ObjectSchema, Schema } from './schema';

type Json = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = `${META}.Time`;
const PATCH = `${META}.Patch`;
const STATUS = `${META}.Status`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** Components that are not object schemas of ours. */
const BUILTIN_COMPONENTS: Record<string, Json> = {
  [QUANTITY]: {
    description:
      'Quantity is a fixed-point representation of a number, serialized as a string such as "500m", "128Mi", "1.5" or "2Gi" (or a plain number): binary suffixes Ki, Mi, Gi, Ti, Pi, Ei; decimal suffixes m, k, M, G, T, P, E; or a decimal exponent (1e3).',
    type: 'string',
  },
  [INT_OR_STRING]: {
    description: 'An int32 or a string. Numbers are used as numbers, strings (for example "25%" or a port name) as strings.',
    type: 'string',
    format: 'int-or-string',
  },
  [TIME]: {
    description: 'Time is a wrapper around time.Time, serialized in RFC 3339 form (e.g. "2024-05-01T10:00:00Z").',
    type: 'string',
    format: 'date-time',
  },
  [PATCH]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
  [STATUS]: {
    description: 'Status is a return value for calls that do not return other objects.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
      message: { type: 'string', description: 'A human-readable description of the status of this operation.' },
      reason: { type: 'string', description: 'A machine-readable description of why this operation is in the "Failure" status.' },
      status: { type: 'string', description: 'Status of the operation. One of: "Success" or "Failure".' },
      details: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'Extended data associated with the reason.' },
      metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ListMeta` }], default: {} },
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  },
  [DELETE_OPTIONS]: {
    description: 'DeleteOptions may be provided when deleting an API object.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      dryRun: { type: 'array', items: { type: 'string', default: '' } },
      gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'The duration in seconds before the object should be deleted.' },
      orphanDependents: { type: 'boolean' },
      preconditions: { type: 'object', properties: { resourceVersion: { type: 'string' }, uid: { type: 'string' } } },
      propagationPolicy: { type: 'string', description: "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'." },
    },
  },
};

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

class Emitter {
  readonly components: Record<string, Json> = {};

  private component(name: string, build: () => Json): void {
    if (this.components[name]) return;
    this.components[name] = {}; // placeholder guards against cycles
    this.components[name] = build();
  }

  private builtin(name: string): void {
    this.component(name, () => BUILTIN_COMPONENTS[name]);
    if (name === STATUS) this.emitNamed(listMeta);
  }

  /** A use of a named type: a reference, wrapped so that the use site can carry its own description. */
  private use(name: string, docText: string | undefined): Json {
    const out: Json = { allOf: [ref(name)] };
    if (docText) out.description = docText;
    return out;
  }

  emitNamed(s: ObjectSchema): string {
    const name = s.name as string;
    this.component(name, () => this.objectBody(s));
    return name;
  }

  private objectBody(s: ObjectSchema): Json {
    const properties: Json = {};
    for (const [k, v] of Object.entries(s.properties)) properties[k] = this.emit(v);
    const out: Json = { type: 'object', properties };
    if (s.description) out.description = s.description;
    if (s.required?.length) out.required = [...s.required];
    if (s.gvk) out['x-kubernetes-group-version-kind'] = [{ ...s.gvk }];
    return out;
  }

  private arrayExtras(s: ArraySchema, out: Json): void {
    if (s.listType) out['x-kubernetes-list-type'] = s.listType;
    if (s.listMapKeys) out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
    if (s.patchStrategy) out['x-kubernetes-patch-strategy'] = s.patchStrategy;
    if (s.patchMergeKey) out['x-kubernetes-patch-merge-key'] = s.patchMergeKey;
  }

  emit(s: Schema): Json {
    const description = s.doc ?? s.description;
    const withDesc = (o: Json): Json => (description ? { ...o, description } : o);
    switch (s.type) {
      case 'object':
        if (s.name) {
          this.emitNamed(s);
          return { ...this.use(s.name, s.doc), default: {} };
        }
        return withDesc(this.objectBody({ ...s, description: undefined }));
      case 'array': {
        const out = withDesc({ type: 'array', items: this.emit(s.items) });
        this.arrayExtras(s, out);
        return out;
      }
      case 'map':
        return withDesc({ type: 'object', additionalProperties: this.emit(s.values) });
      case 'any':
        return withDesc({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
      case 'quantity':
        this.builtin(QUANTITY);
        return this.use(QUANTITY, s.doc);
      case 'intOrString':
        this.builtin(INT_OR_STRING);
        return this.use(INT_OR_STRING, s.doc);
      case 'time':
        this.builtin(TIME);
        return this.use(TIME, s.doc);
      case 'bytes':
        return withDesc({ type: 'string', format: 'byte' });
      case 'int':
        return withDesc({ type: 'integer', format: s.format ?? 'int32' });
      case 'number':
        return withDesc({ type: 'number', format: 'double' });
      case 'bool':
        return withDesc({ type: 'boolean' });
      case 'string': {
        const out = withDesc({ type: 'string' });
        if (s.enum) out.enum = [...s.enum];
        if (s.format) out.format = s.format;
        return out;
      }
    }
  }

  useBuiltin(name: string): Json {
    this.builtin(name);
    return ref(name);
  }
}

// ---- paths --------------------------------------------------------------------------

const queryParam = (name: string, description: string, type: 'string' | 'boolean' | 'integer' = 'string'): Json => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});
const pathParam = (name: string, description: string): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', uniqueItems: true },
});

const P = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed."),
  dryRun: queryParam('dryRun', 'When present, indicates that modifications should not be persisted. The only valid value is "All".'),
  fieldManager: queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  fieldValidation: queryParam(
    'fieldValidation',
    'Instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default), Strict (fail the request with a BadRequest error).',
  ),
  force: queryParam(
    'force',
    'Force is going to "force" Apply requests: re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests.',
    'boolean',
  ),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: queryParam('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  labelSelector: queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: queryParam('limit', 'The maximum number of responses to return for a list call.', 'integer'),
  continue: queryParam('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: queryParam('resourceVersion', 'Sets a constraint on what resource versions a request may be served from.'),
  watch: queryParam('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'Requests watch events with type "BOOKMARK".', 'boolean'),
  name: pathParam('name', 'name of the resource'),
  namespace: pathParam('namespace', 'object name and auth scope, such as for teams and projects'),
};

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function op(t: ResourceType, action: string, operationId: string, description: string, extra: Json): Json {
  return {
    tags: [t.group === '' ? 'core_v1' : `${t.group.split('.')[0]}_v1`],
    description,
    operationId,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
  };
}

function pathsFor(t: ResourceType, e: Emitter, kindRef: Json, listRef: Json): Record<string, Json> {
  const prefix = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  const nsSeg = t.namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${prefix}${nsSeg}/${t.plural}`;
  const item = `${collection}/{name}`;
  const suffix = `${t.group === '' ? 'Core' : t.group.split('.')[0][0].toUpperCase() + t.group.split('.')[0].slice(1)}V1${t.namespaced ? 'Namespaced' : ''}${t.kind}`;
  const ok = (schema: Json): Json => ({ '200': { description: 'OK', content: jsonContent(schema) } });
  const created = (schema: Json): Json => ({
    '200': { description: 'OK', content: jsonContent(schema) },
    '201': { description: 'Created', content: jsonContent(schema) },
    '202': { description: 'Accepted', content: jsonContent(schema) },
  });
  const statusRef = e.useBuiltin(STATUS);
  const pathParams = t.namespaced ? [P.namespace] : [];
  const body = { required: true, content: { '*/*': { schema: kindRef } } };
  const patchBody = { required: true, content: Object.fromEntries(PATCH_TYPES.map((m) => [m, { schema: e.useBuiltin(PATCH) }])) };
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
  const paths: Record<string, Json> = {
    [collection]: {
      get: op(t, 'list', `list${suffix}`, `list or watch objects of kind ${t.kind}`, {
        parameters: [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.timeoutSeconds, P.watch],
        responses: ok(listRef),
      }),
      post: op(t, 'post', `create${suffix}`, `create a ${t.kind}`, { parameters: writeParams, requestBody: body, responses: created(kindRef) }),
      delete: op(t, 'deletecollection', `deletecollection${suffix}`, `delete collection of ${t.kind}`, {
        parameters: [
          P.continue,
          P.dryRun,
          P.fieldSelector,
          P.gracePeriodSeconds,
          P.labelSelector,
          P.limit,
          P.propagationPolicy,
          P.resourceVersion,
          P.timeoutSeconds,
        ],
        responses: ok(statusRef),
      }),
      parameters: [...pathParams, P.pretty],
    },
    [item]: {
      get: op(t, 'get', `read${suffix}`, `read the specified ${t.kind}`, { responses: ok(kindRef) }),
      put: op(t, 'put', `replace${suffix}`, `replace the specified ${t.kind}`, { parameters: writeParams, requestBody: body, responses: created(kindRef) }),
      delete: op(t, 'delete', `delete${suffix}`, `delete a ${t.kind}`, {
        parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
        requestBody: { content: { '*/*': { schema: e.useBuiltin(DELETE_OPTIONS) } } },
        responses: { '200': { description: 'OK', content: jsonContent(kindRef) }, '202': { description: 'Accepted', content: jsonContent(kindRef) } },
      }),
      patch: op(t, 'patch', `patch${suffix}`, `partially update the specified ${t.kind}`, {
        parameters: [...writeParams, P.force],
        requestBody: patchBody,
        responses: created(kindRef),
      }),
      parameters: [P.name, ...pathParams, P.pretty],
    },
  };
  if (t.namespaced) {
    paths[`${prefix}/${t.plural}`] = {
      get: op(t, 'list', `list${suffix.replace('Namespaced', '')}ForAllNamespaces`, `list or watch objects of kind ${t.kind}`, {
        parameters: [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.timeoutSeconds, P.watch],
        responses: ok(listRef),
      }),
      parameters: [P.pretty],
    };
  }
  if (t.hasStatus) {
    paths[`${item}/status`] = {
      get: op(t, 'get', `read${suffix}Status`, `read status of the specified ${t.kind}`, { responses: ok(kindRef) }),
      put: op(t, 'put', `replace${suffix}Status`, `replace status of the specified ${t.kind}`, {
        parameters: writeParams,
        requestBody: body,
        responses: created(kindRef),
      }),
      patch: op(t, 'patch', `patch${suffix}Status`, `partially update status of the specified ${t.kind}`, {
        parameters: [...writeParams, P.force],
        requestBody: patchBody,
        responses: created(kindRef),
      }),
      parameters: [P.name, ...pathParams, P.pretty],
    };
  }
  return paths;
}

function listSchemaFor(t: ResourceType, kindName: string, e: Emitter): Json {
  const name = `${kindName}List`;
  e.emitNamed(listMeta);
  e.components[name] = {
    description: `${t.listKind} is a list of ${t.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      items: { type: 'array', description: `List of ${t.kind} objects.`, items: { allOf: [ref(kindName)], default: {} } },
      metadata: { allOf: [ref(listMeta.name as string)], default: {}, description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.listKind }],
  };
  return ref(name);
}

/** "api/v1" or "apis/apps/v1". */
export function gvPathOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`;
}

function buildDocument(gvPath: string, types: ResourceType[]): Json {
  const e = new Emitter();
  let paths: Record<string, Json> = {};
  for (const t of types) {
    const kindName = e.emitNamed(schemaFor(t));
    const listRef = listSchemaFor(t, kindName, e);
    paths = { ...paths, ...pathsFor(t, e, ref(kindName), listRef) };
  }
  const schemas: Record<string, Json> = {};
  for (const k of Object.keys(e.components).sort()) schemas[k] = e.components[k];
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

interface Built {
  doc: Json;
  hash: string;
}

const cache = new Map<string, Built>();

function typesByGv(): Map<string, ResourceType[]> {
  const m = new Map<string, ResourceType[]>();
  for (const t of resourceTypes) {
    const k = gvPathOf(t);
    const list = m.get(k) ?? [];
    list.push(t);
    m.set(k, list);
  }
  return m;
}

function built(gvPath: string): Built | undefined {
  const hit = cache.get(gvPath);
  if (hit) return hit;
  const types = typesByGv().get(gvPath);
  if (!types) return undefined;
  const doc = buildDocument(gvPath, types);
  const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').toUpperCase();
  const b = { doc, hash };
  cache.set(gvPath, b);
  return b;
}

/** The body of GET /openapi/v3. */
export function openApiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of typesByGv().keys()) {
    const b = built(gv);
    if (b) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${b.hash}` };
  }
  return { paths };
}

/** The body of GET /openapi/v3/<gvPath> (e.g. "apis/apps/v1"); undefined for an unknown group-version. */
export function openApiV3Document(gvPath: string): object | undefined {
  return built(gvPath.replace(/^\/+|\/+$/g, '').replace(/^openapi\/v3\//, ''))?.doc;
}

/** The hash part of a document's URL, for ETag/Cache-Control handling. */
export function openApiV3Hash(gvPath: string): string | undefined {
  return built(gvPath)?.hash;
}
