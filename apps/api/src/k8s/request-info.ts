// Parses a Kubernetes API path into what the request is about (kube-apiserver's RequestInfo):
// every later step — authorisation, admission, storage — works from this, never from the raw URL.
import { resourceFor, ResourceType } from '@flotilla/resources';

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  type: ResourceType;
  verb: RequestVerb;
  /** '' for cluster-scoped requests and for lists across all namespaces. */
  namespace: string;
  name: string;
  subresource: string;
  /** Set for a namespaced list/watch across all namespaces (`/api/v1/pods`). */
  allNamespaces: boolean;
}

export class PathError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 404 | 405,
  ) {
    super(message);
  }
}

const NAME = /^[^/%]+$/;
/** Subresources that open a stream to the pod's node (kube-apiserver's "connect" subresources). */
const CONNECT = new Set(['exec', 'attach', 'portforward']);
/** kube-apiserver's namespaceSubresources: path segments after /namespaces/{name} that are not resources. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * `segments` is the path after `/api/v1` or `/apis/<group>/<version>`, split on `/`.
 * `watch` is the `?watch` query flag.
 */
export function parseResourcePath(group: string, version: string, segments: string[], method: string, watch: boolean): RequestInfo {
  let namespace = '';
  let rest = segments.filter((s, i) => s !== '' || i < segments.length - 1);
  // /namespaces, /namespaces/{name} and the Namespace's own subresources (/namespaces/{name}/finalize) are
  // the Namespace resource itself; anything else after /namespaces/{name} is a resource in that namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    namespace = decode(rest[1]);
    rest = rest.slice(2);
  }
  const [plural, rawName, sub, ...extra] = rest;
  if (!plural) throw new PathError('the server could not find the requested resource', 404);
  if (extra.length > 0) throw new PathError('the server could not find the requested resource', 404);
  const type = resourceFor(group, version, plural);
  if (!type) throw new PathError('the server could not find the requested resource', 404);
  const name = rawName === undefined ? '' : decode(rawName);
  if (rawName !== undefined && (!NAME.test(name) || name === '.' || name === '..')) throw new PathError(`invalid resource name "${name}"`, 400);
  if (namespace && (!type.namespaced || !NAME.test(namespace))) throw new PathError('the server could not find the requested resource', 404);
  const subresource = sub ?? '';
  if (subresource && !type.subresources.includes(subresource) && !(type.kind === 'Namespace' && subresource === 'finalize')) {
    throw new PathError('the server could not find the requested resource', 404);
  }
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? 'get' : watch ? 'watch' : 'list';
      if (name && watch) verb = 'watch';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      throw new PathError(`method ${method} is not allowed`, 405);
  }
  if (CONNECT.has(subresource) && (method === 'GET' || method === 'POST')) {
    // kubectl's WebSocket handshake is a GET, its SPDY fallback a POST: both open a stream into the pod and are
    // authorised as `create`, as Kubernetes does since 1.30 (AuthorizePodWebsocketUpgradeCreatePermission), so
    // read-only roles cannot exec. Other methods are authorised as what they are, then refused by the handler.
    verb = 'create';
  }
  if (!name && (verb === 'update' || verb === 'patch')) throw new PathError(`the server does not allow this method on the requested resource`, 405);
  if (name && verb === 'create' && !subresource) throw new PathError('the server does not allow this method on the requested resource', 405);
  return { type, verb, namespace, name, subresource, allNamespaces: type.namespaced && !namespace };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new PathError(`invalid path segment "${s}"`, 400);
  }
}
