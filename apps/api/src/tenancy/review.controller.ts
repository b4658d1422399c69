// What kubectl asks about itself: `auth can-i` (SelfSubjectAccessReview), `auth can-i --list`
// (SelfSubjectRulesReview), `auth whoami` (SelfSubjectReview), and `create token` (TokenRequest on
// a ServiceAccount, answered with a real token for system:serviceaccount:<ns>:<name>).
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PolicyRule } from '@flotilla/rbac';
import { resourceFor, resourceForKind, ResourceType } from '@flotilla/resources';
import type { Store } from '@flotilla/store';
import { Authorizer, RbacAuthorizer } from '../auth/authz';
import type { Attributes } from '../auth/user';
import { isPlainObject } from '../k8s/body';
import { RequestPipeline } from '../k8s/pipeline';
import { ApiError, badRequest } from '../k8s/status';
import { AUTHORIZER, STORE } from '../tokens';
import { bodyOf, serve } from './endpoint';
import { IdentityService, TokenBinding } from './identity.service';

const AUTHZ = 'authorization.k8s.io';
const AUTHN = 'authentication.k8s.io';

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

@ApiExcludeController()
@Controller()
export class ReviewController {
  constructor(
    private readonly pipeline: RequestPipeline,
    private readonly identity: IdentityService,
    @Inject(AUTHORIZER) private readonly authz: Authorizer,
    @Inject(STORE) private readonly store: Store,
  ) {}

  @Post('apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
  access(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, { verb: 'create', group: AUTHZ, resource: 'selfsubjectaccessreviews' }, async (user) => {
      const body = bodyOf(req);
      const spec = isPlainObject(body.spec) ? body.spec : {};
      let attrs: Attributes;
      if (isPlainObject(spec.resourceAttributes)) {
        const r = spec.resourceAttributes;
        attrs = { verb: s(r.verb), group: s(r.group), resource: s(r.resource), subresource: s(r.subresource), namespace: s(r.namespace), name: s(r.name) };
      } else if (isPlainObject(spec.nonResourceAttributes)) {
        attrs = {
          verb: s(spec.nonResourceAttributes.verb),
          group: '',
          resource: '',
          subresource: '',
          namespace: '',
          name: '',
          path: s(spec.nonResourceAttributes.path),
        };
      } else throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
      if (!attrs.verb) throw badRequest('the verb to review is required');
      const d = await this.authz.authorize(user, attrs);
      return {
        code: 201,
        body: {
          apiVersion: `${AUTHZ}/v1`,
          kind: 'SelfSubjectAccessReview',
          metadata: { creationTimestamp: null },
          spec,
          status: { allowed: d.allowed },
        },
      };
    });
  }

  @Post('apis/authorization.k8s.io/v1/selfsubjectrulesreviews')
  rules(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, { verb: 'create', group: AUTHZ, resource: 'selfsubjectrulesreviews' }, async (user) => {
      const body = bodyOf(req);
      const spec = isPlainObject(body.spec) ? body.spec : {};
      const ns = s(spec.namespace);
      let rules: PolicyRule[] = [];
      if (user.groups.includes('system:masters'))
        rules = [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
          { verbs: ['*'], nonResourceURLs: ['*'] },
        ];
      else if (this.authz instanceof RbacAuthorizer) {
        const g = this.authz.current().rulesFor(user, ns);
        rules = [...g.cluster, ...g.namespaced];
      }
      const resourceRules = rules
        .filter((r) => !r.nonResourceURLs?.length)
        .map((r) => ({
          verbs: r.verbs,
          apiGroups: r.apiGroups ?? [],
          resources: r.resources ?? [],
          ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
        }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return {
        code: 201,
        body: {
          apiVersion: `${AUTHZ}/v1`,
          kind: 'SelfSubjectRulesReview',
          metadata: { creationTimestamp: null },
          spec,
          status: { resourceRules, nonResourceRules, incomplete: false },
        },
      };
    });
  }

  @Post(['apis/authentication.k8s.io/v1/selfsubjectreviews', 'apis/authentication.k8s.io/v1beta1/selfsubjectreviews'])
  whoami(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const version = req.url.includes('/v1beta1/') ? 'v1beta1' : 'v1';
    return serve(this.pipeline, req, reply, { verb: 'create', group: AUTHN, resource: 'selfsubjectreviews' }, async (user) => ({
      code: 201,
      body: {
        apiVersion: `${AUTHN}/${version}`,
        kind: 'SelfSubjectReview',
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: user.username, uid: user.uid, groups: user.groups } },
      },
    }));
  }

  @Post('api/v1/namespaces/:namespace/serviceaccounts/:name/token')
  token(@Req() req: FastifyRequest<{ Params: { namespace: string; name: string } }>, @Res() reply: FastifyReply): Promise<void> {
    const { namespace, name } = req.params;
    return serve(this.pipeline, req, reply, { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace, name }, async () => {
      const body = bodyOf(req);
      const spec = isPlainObject(body.spec) ? body.spec : {};
      const sa = await this.store.get(resourceFor('', 'v1', 'serviceaccounts') as ResourceType, namespace, name);
      if (!sa) throw new ApiError(404, 'NotFound', `serviceaccounts "${name}" not found`, { name, kind: 'serviceaccounts', group: '' });
      const requested = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : Number(spec.expirationSeconds);
      if (!Number.isInteger(requested) || requested < 600) {
        throw new ApiError(
          422,
          'Invalid',
          'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes',
          {
            kind: 'TokenRequest',
            group: AUTHN,
            causes: [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: 'may not specify a duration less than 10 minutes' }],
          },
        );
      }
      const ttl = Math.min(requested, 48 * 3600);
      const subject = `system:serviceaccount:${namespace}:${name}`;
      const binding: TokenBinding = { namespace, serviceAccount: name, serviceAccountUid: String(sa.obj.metadata?.uid ?? '') };
      if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null) binding.object = await this.boundObject(namespace, spec.boundObjectRef);
      const t = await this.identity.issue('serviceaccount', `token for ${subject}`, { subject, binding }, ttl);
      return {
        code: 201,
        body: {
          apiVersion: `${AUTHN}/v1`,
          kind: 'TokenRequest',
          metadata: { name, namespace, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
          spec: {
            audiences: Array.isArray(spec.audiences) ? spec.audiences : [],
            expirationSeconds: ttl,
            boundObjectRef: binding.object ? { kind: binding.object.kind, apiVersion: 'v1', name: binding.object.name, uid: binding.object.uid } : null,
          },
          status: { token: t.token, expirationTimestamp: (t.expiresAt ?? '').replace(/\.\d{3}Z$/, 'Z') },
        },
      };
    });
  }

  /** The Pod or Secret (in the account's namespace) a token is to be bound to, as Kubernetes' TokenRequest allows; its uid must match when given. */
  private async boundObject(namespace: string, ref: unknown): Promise<NonNullable<TokenBinding['object']>> {
    const refuse = (field: string, message: string): ApiError =>
      new ApiError(422, 'Invalid', `TokenRequest.authentication.k8s.io "" is invalid: spec.boundObjectRef.${field}: ${message}`, {
        kind: 'TokenRequest',
        group: AUTHN,
        causes: [{ reason: 'FieldValueInvalid', field: `spec.boundObjectRef.${field}`, message }],
      });
    if (!isPlainObject(ref)) throw refuse('kind', 'must be an object with kind and name');
    const kind = ref.kind;
    if (kind !== 'Pod' && kind !== 'Secret') throw refuse('kind', `Unsupported value: ${JSON.stringify(kind)}: supported values: "Pod", "Secret"`);
    if (typeof ref.name !== 'string' || !ref.name) throw refuse('name', 'Required value');
    const type = resourceForKind('v1', kind) as ResourceType;
    const o = await this.store.get(type, namespace, ref.name);
    if (!o) throw new ApiError(404, 'NotFound', `${type.plural} "${ref.name}" not found`, { name: ref.name, kind: type.plural, group: '' });
    const uid = String(o.obj.metadata?.uid ?? '');
    if (ref.uid !== undefined && ref.uid !== '' && ref.uid !== uid) throw refuse('uid', `the ${kind} "${ref.name}" has uid ${uid}, not ${String(ref.uid)}`);
    return { kind, name: ref.name, uid };
  }
}
