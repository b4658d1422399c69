// Runs a Flotilla (non-Kubernetes) endpoint through the same pipeline as the Kubernetes API:
// authentication, RBAC on the endpoint's attributes, rate limits, audit, and errors as a Status.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Attributes, UserInfo } from '../auth/user';
import { decodeBody, isPlainObject } from '../k8s/body';
import type { RequestPipeline } from '../k8s/pipeline';
import { ApiError, badRequest } from '../k8s/status';
import { IdentityError } from './identity.service';

export const FLOTILLA_GROUP = 'flotilla.dev';

const REASONS: Record<number, string> = { 400: 'BadRequest', 404: 'NotFound', 409: 'AlreadyExists', 422: 'Invalid', 429: 'TooManyRequests' };

export interface EndpointResult {
  code?: number;
  body: unknown;
  contentType?: string;
}

export function serve(
  pipeline: RequestPipeline,
  req: FastifyRequest,
  reply: FastifyReply,
  attrs: Partial<Attributes> & { verb: string },
  fn: (user: UserInfo) => Promise<EndpointResult>,
): Promise<void> {
  const full: Attributes = { group: '', resource: '', subresource: '', namespace: '', name: '', ...attrs };
  return pipeline.run(
    req,
    reply,
    () => ({ attrs: full, plural: full.resource || full.path || '' }),
    async (user) => {
      try {
        const r = await fn(user);
        const json = r.contentType && typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        return { code: r.code ?? 200, json, contentType: r.contentType };
      } catch (err) {
        if (err instanceof IdentityError) throw new ApiError(err.code, REASONS[err.code] ?? 'BadRequest', err.message);
        throw err;
      }
    },
  );
}

/** Attributes of an admin endpoint: a resource of the flotilla.dev group, so RBAC can grant it. */
export function adminAttrs(verb: string, resource: string, name = '', subresource = ''): Partial<Attributes> & { verb: string } {
  return { verb, group: FLOTILLA_GROUP, resource, name, subresource };
}

/** Attributes of a non-resource endpoint (login, the caller's own tokens). */
export function pathAttrs(req: FastifyRequest, path: string): Partial<Attributes> & { verb: string } {
  return { verb: req.method.toLowerCase(), path };
}

/** The JSON (or YAML, protobuf) body as an object. */
export function bodyOf(req: FastifyRequest): Record<string, unknown> {
  const ct = req.headers['content-type'];
  const body = decodeBody(req.body as Buffer | undefined, Array.isArray(ct) ? ct[0] : ct);
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw badRequest('the body must be a JSON object');
  return body;
}

export function str(body: Record<string, unknown>, key: string, required = true): string {
  const v = body[key];
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || (required && v === '')) throw badRequest(`${key} is required and must be a string`);
  return v;
}

export function optInt(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`${key} must be an integer`);
  return n;
}
