// The request pipeline every API request goes through, in order: authenticate → describe (parse the
// request into attributes) → authorise → handle → audit → answer. Admission runs inside the handler
// for writes. Tenancy adds to the authenticator and authorizer; nothing else changes.
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { AuthError, Authenticator, Credentials } from '../auth/authn';
import { Authorizer, forbiddenMessage, hiddenNotFound } from '../auth/authz';
import { MutationRateLimiter } from '../auth/rate-limit';
import type { Visibility } from '../auth/request-context';
import { ANONYMOUS, Attributes, UserInfo } from '../auth/user';
import { Metrics } from '../health/metrics';
import { AUTHENTICATOR, AUTHORIZER, RATE_LIMITER } from '../tokens';
import { PathError } from './request-info';
import type { Reply } from './request';
import { ApiError, databaseUnreachable, forbidden, status, toStatus } from './status';
import { assertCleanRequestText, warningHeaderValue } from './text';
import { log } from '../log';

// Resource verbs, and the HTTP verbs non-resource endpoints (login, tokens) are authorised with.
const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', 'post', 'put']);

export interface Described {
  attrs: Attributes;
  /** The plural resource name for messages ("deployments"). */
  plural: string;
}

@Injectable()
export class RequestPipeline {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authn: Authenticator,
    @Inject(AUTHORIZER) private readonly authz: Authorizer,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
    @Inject(RATE_LIMITER) private readonly limiter: MutationRateLimiter,
  ) {}

  async run(
    req: FastifyRequest,
    reply: FastifyReply,
    describe: () => Described,
    handle: (user: UserInfo, d: Described, visible: Visibility | undefined) => Promise<Reply | 'streamed' | 'upgraded'>,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let d: Described | undefined;
    let user: UserInfo = ANONYMOUS;
    let code = 500;
    let decision: 'allowed' | 'denied' | 'error' = 'error';
    let reason: string | undefined;
    try {
      const found = await this.authn.authenticate(credentialsOf(req)).catch((err: unknown) => {
        if (err instanceof AuthError) throw new ApiError(err.code, err.code === 401 ? 'Unauthorized' : 'Forbidden', err.message);
        throw err;
      });
      user = found ?? ANONYMOUS;
      d = describe();
      // Names from the path and query values reach SQL and the stored objects; text Postgres cannot hold is a 400 here, not a 500 there.
      assertCleanRequestText({ namespace: d.attrs.namespace, name: d.attrs.name }, req.query as Record<string, unknown> | undefined);
      const verdict = await this.authz.authorize(user, d.attrs);
      if (!verdict.allowed) {
        decision = 'denied';
        reason = verdict.reason;
        if (user === ANONYMOUS) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
        if (verdict.notFound) throw hiddenNotFound(d.attrs, d.plural);
        throw forbidden(forbiddenMessage(user, d.attrs, d.plural));
      }
      const wait = MUTATING.has(d.attrs.verb) ? this.limiter.check(user) : 0;
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'TooManyRequests', `too many requests from ${user.username}: retry after ${wait}s`, { retryAfterSeconds: wait });
      }
      const described = d;
      const result = await handle(user, described, verdict.visible);
      decision = 'allowed';
      if (result === 'streamed' || result === 'upgraded') {
        code = result === 'upgraded' ? 101 : 200;
        return;
      }
      code = result.code;
      if (result.warnings?.length) reply.header('Warning', result.warnings.map(warningHeaderValue).join(', '));
      reply
        .code(result.code)
        .header('content-type', result.contentType ?? 'application/json')
        .send(result.json);
    } catch (err) {
      const s =
        err instanceof PathError
          ? status(err.code, err.code === 404 ? 'NotFound' : err.code === 405 ? 'MethodNotAllowed' : 'BadRequest', err.message)
          : toStatus(err);
      code = s.code;
      if (decision !== 'denied') decision = 'error';
      reason ??= s.message;
      // An outage of the database (or Redis) fails every request alike: one line each without the stack, which says nothing more.
      if (databaseUnreachable(err)) log.warn('request failed: a dependency is unreachable', { reqId: req.id, error: (err as Error).message ?? String(err) });
      else if (s.code >= 500) log.error('request failed', { reqId: req.id, error: (err as Error).stack ?? String(err) });
      if (reply.raw.headersSent) {
        reply.raw.end();
        return;
      }
      if (s.details?.retryAfterSeconds && !reply.hasHeader('retry-after')) reply.header('retry-after', String(s.details.retryAfterSeconds));
      reply.code(s.code).header('content-type', 'application/json').send(JSON.stringify(s));
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const a = d?.attrs;
      const resource = a ? (a.path ?? `${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}`) : 'unknown';
      this.metrics.requests.observe({ verb: a?.verb ?? req.method.toLowerCase(), resource, code: String(code) }, seconds);
      if (a && (MUTATING.has(a.verb) || decision === 'denied' || code === 401)) {
        this.audit.record({
          requestId: String(req.id),
          username: user.username,
          groups: user.groups,
          sourceIp: req.ip,
          userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 200) : undefined,
          verb: a.verb,
          apiGroup: a.group,
          resource: a.resource || (a.path ?? ''),
          subresource: a.subresource,
          namespace: a.namespace,
          name: a.name,
          code,
          decision,
          reason: decision === 'allowed' ? undefined : reason?.slice(0, 500),
        });
      }
    }
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function credentialsOf(req: FastifyRequest): Credentials {
  return {
    authorization: header(req, 'authorization'),
    cookie: header(req, 'cookie'),
    method: req.method,
    csrfToken: header(req, 'x-csrf-token'),
    origin: header(req, 'origin'),
    upgrade: header(req, 'upgrade') !== undefined,
  };
}
