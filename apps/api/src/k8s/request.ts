// What every verb and subresource handler receives and answers, and the request readings they share
// (admission context, content negotiation, selectors), so each handler reads a request the same way.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  FieldSelectorError,
  KubeObject,
  matchesFieldSelector,
  matchesSelector,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from '@flotilla/resources';
import type { Visibility } from '../auth/request-context';
import type { UserInfo } from '../auth/user';
import { AdmissionContext, fieldValidationOf } from './admission';
import { negotiate, Wanted } from './negotiate';
import { one, type Query } from './query';
import type { RequestInfo } from './request-info';
import { badRequest } from './status';

export interface ResourceRequest {
  info: RequestInfo;
  /** Who asks (admission checks escalation and namespace labels by it). */
  user: UserInfo;
  /** What the caller may see (a tenant's namespaces, a node's pods), as the authorizer decided. */
  visible?: Visibility;
  query: Query;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  /** For watch streams. */
  res: ServerResponse;
  onClose: (fn: () => void) => void;
  /** For upgraded streams (exec, port-forward): takes the connection over from the HTTP server. */
  takeSocket: () => Duplex;
}

export interface Reply {
  code: number;
  /** JSON text. */
  json: string;
  warnings?: string[];
  /** Defaults to application/json. */
  contentType?: string;
}

/** A reply, or a stream the handler has written itself ('streamed') or handed to the node ('upgraded'). */
export type Outcome = Reply | 'streamed' | 'upgraded';

/** Serves one verb or one subresource. */
export type Handle = (req: ResourceRequest) => Promise<Outcome>;

export function json(code: number, obj: unknown, warnings?: string[]): Reply {
  return { code, json: JSON.stringify(obj), warnings };
}

export function header(req: Pick<ResourceRequest, 'headers'>, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `name` is '' for a create, whose object names itself. */
export function admissionContext(req: ResourceRequest, name = req.info.name): AdmissionContext {
  return {
    type: req.info.type,
    namespace: req.info.namespace,
    name,
    user: req.user,
    fieldValidation: fieldValidationOf(one(req.query, 'fieldValidation')),
    warnings: [],
  };
}

export function wanted(req: Pick<ResourceRequest, 'headers' | 'query'>): Wanted {
  const accept = req.headers.accept;
  return negotiate(Array.isArray(accept) ? accept.join(',') : accept, one(req.query, 'includeObject'));
}

/**
 * The labelSelector and fieldSelector of a list, watch or deletecollection, with what the caller may see;
 * undefined when everything matches.
 */
export function selectorMatcher(req: Pick<ResourceRequest, 'info' | 'query' | 'visible'>): ((o: KubeObject) => boolean) | undefined {
  const { type } = req.info;
  const labels = parsed(req.query, 'labelSelector', parseLabelSelector);
  const fields = parsed(req.query, 'fieldSelector', (s) => parseFieldSelector(s, type));
  const visible = req.visible;
  if (!labels && !fields) return visible;
  return (o) => (!visible || visible(o)) && (!labels || matchesSelector(labels, o.metadata.labels)) && (!fields || matchesFieldSelector(fields, o));
}

function parsed<T>(q: Query, key: 'labelSelector' | 'fieldSelector', parse: (s: string) => T): T | undefined {
  const v = one(q, key);
  if (!v) return undefined;
  try {
    return parse(v);
  } catch (err) {
    if (!(err instanceof SelectorError || err instanceof FieldSelectorError)) throw err;
    throw badRequest(`unable to parse requirement: ${err.message}`, [{ reason: 'FieldValueInvalid', field: key, message: err.message }]);
  }
}
