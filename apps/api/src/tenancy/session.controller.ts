// The caller's own account: portal login/logout (session cookie + CSRF token), personal API
// tokens, sessions, a kubeconfig download, and the agents' join exchange.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Delete, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildKubeconfig } from '@flotilla/pki';
import { cookieValue, CSRF_COOKIE, SESSION_COOKIE } from '../auth/authn';
import type { Config } from '../config';
import { RequestPipeline } from '../k8s/pipeline';
import { ApiError, badRequest } from '../k8s/status';
import { CONFIG } from '../tokens';
import { bodyOf, optInt, pathAttrs, serve, str } from './endpoint';
import { IdentityService } from './identity.service';
import { LoginLimiter } from './login-limiter';
import { TENANCY_CONFIG } from './tenancy.tokens';
import type { TenancyConfig } from './tenancy-config';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

@ApiTags('account')
@Controller('flotilla/v1')
export class SessionController {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly identity: IdentityService,
    private readonly limiter: LoginLimiter,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(TENANCY_CONFIG) private readonly cfg: TenancyConfig,
  ) {}

  private cookie(name: string, value: string, maxAge: number, httpOnly: boolean): string {
    return [
      `${name}=${value}`,
      'Path=/',
      `Max-Age=${maxAge}`,
      'SameSite=Strict',
      ...(httpOnly ? ['HttpOnly'] : []),
      ...(this.cfg.secureCookies ? ['Secure'] : []),
    ].join('; ');
  }

  @Post('login')
  @ApiOperation({ summary: 'Log in with username and password; sets the session cookie and returns the CSRF token for mutations' })
  @ApiBody({ schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } })
  login(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/login'), async () => {
      const body = bodyOf(req);
      const username = str(body, 'username');
      const password = str(body, 'password');
      const wait = await this.limiter.blocked(username, req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'TooManyRequests', `too many login attempts: retry after ${wait}s`, { retryAfterSeconds: wait });
      }
      const user = await this.identity.verifyPassword(username, password);
      if (!user) {
        await this.limiter.failed(username, req.ip);
        throw new ApiError(401, 'Unauthorized', 'invalid username or password');
      }
      await this.limiter.succeeded(username);
      const ua = req.headers['user-agent'];
      const s = await this.identity.createSession(user.id, req.ip, typeof ua === 'string' ? ua : '');
      const maxAge = this.cfg.sessionTtlSeconds;
      reply.header('set-cookie', [this.cookie(SESSION_COOKIE, s.cookie, maxAge, true), this.cookie(CSRF_COOKIE, s.csrf, maxAge, false)]);
      return { body: { username: user.username, groups: user.groups, csrfToken: s.csrf, expiresAt: s.expiresAt.toISOString() } };
    });
  }

  @Post('logout')
  @ApiOperation({ summary: 'End the current portal session' })
  logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/logout'), async () => {
      const c = cookieValue(typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined, SESSION_COOKIE);
      if (c) await this.identity.endSession(c);
      reply.header('set-cookie', [this.cookie(SESSION_COOKIE, '', 0, true), this.cookie(CSRF_COOKIE, '', 0, false)]);
      return { body: { status: 'Success' } };
    });
  }

  @Get('me')
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Who am I (username, groups)' })
  me(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/me'), async (user) => ({
      body: { username: user.username, uid: user.uid, groups: user.groups },
    }));
  }

  private userId(user: { uid: string; username: string }): string {
    if (!/^[0-9a-f-]{36}$/.test(user.uid)) throw new ApiError(403, 'Forbidden', `${user.username} is not a Flotilla user account and has no personal tokens`);
    return user.uid;
  }

  @Get('me/tokens')
  @ApiOperation({ summary: 'List my API tokens (never their secrets)' })
  listTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/me/tokens'), async (user) => ({
      body: { items: await this.identity.listTokens(this.userId(user)) },
    }));
  }

  @Post('me/tokens')
  @ApiOperation({ summary: 'Create an API token; the token is in this answer only' })
  @ApiBody({ schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, expirationSeconds: { type: 'integer' } } } })
  createToken(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/me/tokens'), async (user) => {
      const body = bodyOf(req);
      const t = await this.identity.createUserToken(this.userId(user), str(body, 'name'), optInt(body.expirationSeconds, 'expirationSeconds'));
      return { code: 201, body: t };
    });
  }

  @Delete('me/tokens/:id')
  @ApiOperation({ summary: 'Revoke one of my API tokens' })
  revokeToken(@Req() req: FastifyRequest<{ Params: { id: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, `/flotilla/v1/me/tokens/${req.params.id}`), async (user) => {
      await this.identity.revokeToken(this.userId(user), req.params.id);
      return { body: { status: 'Success' } };
    });
  }

  @Get('me/sessions')
  @ApiOperation({ summary: 'List my open portal sessions' })
  sessions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/me/sessions'), async (user) => ({
      body: { items: await this.identity.listSessions(this.userId(user)) },
    }));
  }

  @Delete('me/sessions/:id')
  @ApiOperation({ summary: 'End one of my portal sessions' })
  endSession(@Req() req: FastifyRequest<{ Params: { id: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, `/flotilla/v1/me/sessions/${req.params.id}`), async (user) => {
      await this.identity.revokeSession(this.userId(user), req.params.id);
      return { body: { status: 'Success' } };
    });
  }

  @Post('me/kubeconfig')
  @ApiOperation({ summary: 'Create a token and return a kubeconfig that carries it and the platform CA' })
  @ApiBody({ schema: { type: 'object', properties: { name: { type: 'string' }, expirationSeconds: { type: 'integer' } } } })
  kubeconfig(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/me/kubeconfig'), async (user) => {
      const body = bodyOf(req);
      const name = (typeof body.name === 'string' && body.name) || `kubeconfig ${new Date().toISOString()}`;
      const t = await this.identity.createUserToken(this.userId(user), name, optInt(body.expirationSeconds, 'expirationSeconds'));
      const ca = readFileSync(this.config.caCertFile ?? join(this.config.dataDir, 'pki', 'ca.crt'), 'utf8');
      const yaml = buildKubeconfig({
        server: this.config.publicUrl,
        caCertPem: ca,
        user: user.username,
        token: t.token,
        clusterName: 'flotilla',
        contextName: `flotilla-${user.username}`,
      });
      reply.header('content-disposition', 'attachment; filename="flotilla.kubeconfig"');
      return { code: 201, body: yaml, contentType: 'application/yaml' };
    });
  }

  @Post('nodes/join')
  @ApiOperation({ summary: 'Exchange a one-time join token for the node credential (system:node:<nodeName>, group system:nodes)' })
  @ApiBody({ schema: { type: 'object', required: ['token', 'nodeName'], properties: { token: { type: 'string' }, nodeName: { type: 'string' } } } })
  join(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, pathAttrs(req, '/flotilla/v1/nodes/join'), async () => {
      const body = bodyOf(req);
      const nodeName = str(body, 'nodeName');
      if (!NODE_NAME.test(nodeName)) throw badRequest(`invalid node name "${nodeName}"`);
      const r = await this.identity.joinNode(str(body, 'token'), nodeName);
      return { code: 201, body: { username: r.username, groups: ['system:nodes'], token: r.token } };
    });
  }
}
