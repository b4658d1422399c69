// Administration: users, groups, node join tokens, namespaces for teams (labels, quota, limits and
// role bindings in one request; usage against quota), the audit log, and re-encrypting Secrets
// after a key rotation. Each endpoint is an RBAC resource of the flotilla.dev group.
import { Controller, Delete, Get, Inject, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, KubeObject, resourceFor, ResourceType, validateObject } from '@flotilla/resources';
import { StoreError, type Store } from '@flotilla/store';
import { ComponentsService } from '../health/components.service';
import { RequestPipeline } from '../k8s/pipeline';
import { ApiError, badRequest, invalid } from '../k8s/status';
import { STORE } from '../tokens';
import { AuditQueryService } from './audit-query.service';
import { adminAttrs, bodyOf, optInt, serve, str } from './endpoint';
import { GROUPNAME, IdentityService, USERNAME } from './identity.service';
import { SecretRewriter } from './secret-rewriter';

type P<T extends string> = FastifyRequest<{ Params: Record<T, string> }>;

const type = (group: string, plural: string) => resourceFor(group, 'v1', plural) as ResourceType;
const ROLES = new Set(['admin', 'edit', 'view']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

@ApiTags('admin')
@ApiBearerAuth()
@Controller('flotilla/v1/admin')
export class AdminController {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly identity: IdentityService,
    private readonly audit: AuditQueryService,
    private readonly rewriter: SecretRewriter,
    private readonly components: ComponentsService,
    @Inject(STORE) private readonly store: Store,
  ) {}

  // ---- users -------------------------------------------------------------------------------------

  @Get('users')
  @ApiOperation({ summary: 'List users' })
  listUsers(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('list', 'users'), async () => ({ body: { items: await this.identity.listUsers() } }));
  }

  @Post('users')
  @ApiOperation({ summary: 'Create a user (optionally in groups)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: {
        username: { type: 'string' },
        password: { type: 'string' },
        displayName: { type: 'string' },
        groups: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  createUser(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'users'), async () => {
      const b = bodyOf(req);
      const groups = Array.isArray(b.groups) ? b.groups.filter((g): g is string => typeof g === 'string') : [];
      return { code: 201, body: await this.identity.createUser(str(b, 'username'), str(b, 'password'), { displayName: str(b, 'displayName', false), groups }) };
    });
  }

  @Get('users/:name')
  @ApiOperation({ summary: 'Get a user' })
  getUser(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('get', 'users', req.params.name), async () => ({ body: await this.identity.getUser(req.params.name) }));
  }

  @Patch('users/:name')
  @ApiOperation({ summary: 'Disable or enable a user (disabling ends their sessions and revokes their tokens)' })
  @ApiBody({ schema: { type: 'object', required: ['disabled'], properties: { disabled: { type: 'boolean' } } } })
  patchUser(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('patch', 'users', req.params.name), async () => {
      const b = bodyOf(req);
      if (typeof b.disabled !== 'boolean') throw badRequest('disabled must be true or false');
      return { body: await this.identity.setDisabled(req.params.name, b.disabled) };
    });
  }

  @Put('users/:name/password')
  @ApiOperation({ summary: "Reset a user's password (ends their sessions)" })
  @ApiBody({ schema: { type: 'object', required: ['password'], properties: { password: { type: 'string' } } } })
  resetPassword(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('update', 'users', req.params.name, 'password'), async () => {
      await this.identity.resetPassword(req.params.name, str(bodyOf(req), 'password'));
      return { body: { status: 'Success' } };
    });
  }

  @Delete('users/:name')
  @ApiOperation({ summary: 'Delete a user, their tokens and sessions' })
  deleteUser(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('delete', 'users', req.params.name), async () => {
      await this.identity.deleteUser(req.params.name);
      return { body: { status: 'Success' } };
    });
  }

  // ---- groups ------------------------------------------------------------------------------------

  @Get('groups')
  @ApiOperation({ summary: 'List groups and their members' })
  listGroups(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('list', 'groups'), async () => ({ body: { items: await this.identity.listGroups() } }));
  }

  @Post('groups')
  @ApiOperation({ summary: 'Create a group (bind roles to it with RoleBindings of kind Group)' })
  @ApiBody({ schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, description: { type: 'string' } } } })
  createGroup(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'groups'), async () => {
      const b = bodyOf(req);
      return { code: 201, body: await this.identity.createGroup(str(b, 'name'), str(b, 'description', false)) };
    });
  }

  @Delete('groups/:name')
  @ApiOperation({ summary: 'Delete a group' })
  deleteGroup(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('delete', 'groups', req.params.name), async () => {
      await this.identity.deleteGroup(req.params.name);
      return { body: { status: 'Success' } };
    });
  }

  @Put('groups/:name/members/:user')
  @ApiOperation({ summary: 'Add a user to a group' })
  addMember(@Req() req: P<'name' | 'user'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('update', 'groups', req.params.name, 'members'), async () => {
      await this.identity.addMember(req.params.name, req.params.user);
      return { body: { status: 'Success' } };
    });
  }

  @Delete('groups/:name/members/:user')
  @ApiOperation({ summary: 'Remove a user from a group' })
  removeMember(@Req() req: P<'name' | 'user'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('update', 'groups', req.params.name, 'members'), async () => {
      await this.identity.removeMember(req.params.name, req.params.user);
      return { body: { status: 'Success' } };
    });
  }

  // ---- nodes -------------------------------------------------------------------------------------

  @Get('components')
  @ApiOperation({
    summary: 'Every platform process (api, controller, agent per node) with its host, pid, start time, restarts and last exit',
  })
  listComponents(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('list', 'components'), async () => ({ body: await this.components.list() }));
  }

  @Post('jointokens')
  @ApiOperation({ summary: 'Create a one-time join token for an agent (POST it to /flotilla/v1/nodes/join with the node name)' })
  @ApiBody({ schema: { type: 'object', properties: { expirationSeconds: { type: 'integer' } } } })
  createJoinToken(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'jointokens'), async (user) => {
      const ttl = optInt(bodyOf(req).expirationSeconds, 'expirationSeconds');
      if (ttl !== undefined && (ttl < 60 || ttl > 7 * 86400)) throw badRequest('expirationSeconds must be between 60 and 604800');
      return { code: 201, body: await this.identity.createJoinToken(user.username, ttl) };
    });
  }

  @Delete('nodes/:name/credentials')
  @ApiOperation({ summary: 'Revoke every credential of a node' })
  revokeNode(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('delete', 'nodecredentials', req.params.name), async () => ({
      body: { revoked: await this.identity.revokeNode(req.params.name) },
    }));
  }

  // ---- namespaces --------------------------------------------------------------------------------

  @Post('namespaces')
  @ApiOperation({ summary: 'Create a team namespace with labels, a quota, LimitRange defaults and role bindings in one request' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        quota: { type: 'object', additionalProperties: { type: 'string' }, description: 'ResourceQuota spec.hard' },
        limits: { type: 'object', description: 'LimitRange Container item: default, defaultRequest, max, min' },
        bindings: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              role: { enum: ['admin', 'edit', 'view'] },
              users: { type: 'array', items: { type: 'string' } },
              groups: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  })
  createNamespace(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'namespaces'), async () => {
      const b = bodyOf(req);
      const name = str(b, 'name');
      if (!DNS_LABEL.test(name)) throw badRequest(`invalid namespace name "${name}"`);
      const labels = stringMap(b.labels, 'labels');
      const quota = b.quota === undefined ? undefined : stringMap(b.quota, 'quota');
      const bindings = Array.isArray(b.bindings) ? b.bindings : [];
      const objects: [ResourceType, KubeObject][] = [];
      // Named by the request's own fields, so a form can point at the one that is wrong.
      const problems: FieldError[] = [];
      for (const [i, raw] of bindings.entries()) {
        const bd = (raw ?? {}) as { role?: unknown; users?: unknown; groups?: unknown };
        if (typeof bd.role !== 'string' || !ROLES.has(bd.role)) throw badRequest(`bindings[${i}].role must be admin, edit or view`);
        const users = Array.isArray(bd.users) ? bd.users.filter((u): u is string => typeof u === 'string' && USERNAME.test(u)) : [];
        // Users are the platform's own: a binding to a name nobody has is a typing slip that would grant
        // the role to whoever creates that account later.
        for (const [j, u] of users.entries())
          if (!(await this.identity.userExists(u)))
            problems.push({ field: `bindings[${i}].users[${j}]`, reason: 'FieldValueNotFound', message: `Not found: "${u}": no such user` });
        const groups = Array.isArray(bd.groups) ? bd.groups.filter((g): g is string => typeof g === 'string' && GROUPNAME.test(g)) : [];
        objects.push([
          type('rbac.authorization.k8s.io', 'rolebindings'),
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: `${bd.role}-${i}` },
            subjects: [
              ...users.map((u) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u })),
              ...groups.map((g) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: g })),
            ],
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: bd.role },
          } as KubeObject,
        ]);
      }
      if (quota)
        objects.push([
          type('', 'resourcequotas'),
          { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota' }, spec: { hard: quota } } as KubeObject,
        ]);
      if (quota) {
        const errors = validateObject(type('', 'resourcequotas'), {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'quota', namespace: name },
          spec: { hard: quota },
        } as KubeObject);
        problems.push(...errors.map((e) => ({ ...e, field: e.field.replace(/^spec\.hard/, 'quota') })));
      }
      if (problems.length) throw invalid('Namespace', name, '', problems);
      if (b.limits !== undefined) {
        objects.push([
          type('', 'limitranges'),
          {
            apiVersion: 'v1',
            kind: 'LimitRange',
            metadata: { name: 'limits' },
            spec: { limits: [{ type: 'Container', ...(b.limits as object) }] },
          } as KubeObject,
        ]);
      }
      const ns = await this.store.transaction(async (tx) => {
        const created = await this.store.createIn(
          tx,
          type('', 'namespaces'),
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } as KubeObject,
          '',
        );
        for (const [t, o] of objects) await this.store.createIn(tx, t, o, name);
        return created;
      });
      return { code: 201, body: { namespace: ns, created: objects.map(([t, o]) => `${t.plural}/${o.metadata.name}`) } };
    });
  }

  @Get('namespaces')
  @ApiOperation({ summary: 'Every namespace with its phase, object count and usage against quota' })
  listNamespaces(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('list', 'namespaces'), async () => {
      await this.store.sync();
      const cache = this.store.cache;
      const items = cache.list('core/namespaces').map((e) => {
        const name = e.name;
        const objects = cache.resources().reduce((n, r) => n + (r === 'core/namespaces' ? 0 : cache.count(r, name)), 0);
        const quotas = cache.list('core/resourcequotas', name).map((q) => ({
          name: q.name,
          hard: (q.obj.status as { hard?: unknown } | undefined)?.hard ?? (q.obj.spec as { hard?: unknown } | undefined)?.hard ?? {},
          used: (q.obj.status as { used?: unknown } | undefined)?.used ?? {},
        }));
        return { name, phase: (e.obj.status as { phase?: string } | undefined)?.phase ?? 'Active', labels: e.obj.metadata.labels ?? {}, objects, quotas };
      });
      return { body: { items } };
    });
  }

  @Delete('namespaces/:name')
  @ApiOperation({ summary: 'Delete a namespace and everything in it (GET namespaces reports progress while it terminates)' })
  deleteNamespace(@Req() req: P<'name'>, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('delete', 'namespaces', req.params.name), async () => {
      try {
        const r = await this.store.delete(type('', 'namespaces'), '', req.params.name);
        return { code: 202, body: r.object };
      } catch (err) {
        if (err instanceof StoreError) throw new ApiError(err.code, err.reason, err.message);
        throw err;
      }
    });
  }

  // ---- audit and encryption ----------------------------------------------------------------------

  @Get('audit')
  @ApiOperation({ summary: 'Query the audit log, newest first' })
  @ApiQuery({ name: 'user', required: false })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'verb', required: false })
  @ApiQuery({ name: 'resource', required: false })
  @ApiQuery({ name: 'decision', required: false, enum: ['allowed', 'denied', 'error'] })
  @ApiQuery({ name: 'since', required: false, description: 'RFC 3339' })
  @ApiQuery({ name: 'until', required: false, description: 'RFC 3339' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'continue', required: false })
  queryAudit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('list', 'auditevents'), async () => ({
      body: await this.audit.query(req.query as Record<string, string | undefined>),
    }));
  }

  @Post('secrets/reencrypt')
  @ApiOperation({ summary: 'Rewrite every stored Secret with the first key of FLOTILLA_ENCRYPTION_KEYS (after a key rotation)' })
  @ApiQuery({ name: 'namespace', required: false, description: 'only the Secrets of this namespace' })
  reencrypt(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ns = (req.query as Record<string, string | undefined>).namespace || undefined;
    return serve(this.pipeline, req, reply, adminAttrs('create', 'secretencryption'), async () => ({ body: await this.rewriter.rewriteAll(ns) }));
  }
}

function stringMap(v: unknown, key: string): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`${key} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number') throw badRequest(`${key}.${k} must be a string`);
    out[k] = String(x);
  }
  return out;
}
