// Admission: what an object must pass before it is stored — decoding checks, defaults, strict field
// validation and per-kind validation; then (TenancyAdmission, inside the write's transaction) RBAC
// escalation, pod security, LimitRange defaults and ResourceQuota.
import { Inject, Injectable } from '@nestjs/common';
import { AdmissionDenied, admitInTx, ENFORCE_LABEL, qualifiedName as kubeName } from '@flotilla/admission';
import { describeRule, Policy, PolicyRule, RoleRef, uncoveredRules } from '@flotilla/rbac';
import { apiVersionOf, applyDefaults, FieldError, KubeObject, ResourceType, unknownFields, validateObject } from '@flotilla/resources';
import { resourceKey, Store, WriteTx } from '@flotilla/store';
import { Authorizer, RbacAuthorizer } from '../auth/authz';
import type { UserInfo } from '../auth/user';
import { AUTHORIZER, STORE } from '../tokens';
import { isPlainObject } from './body';
import { allocateNodePorts } from './nodeports';
import { badRequest, forbidden, invalid } from './status';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: string | undefined): FieldValidation {
  if (q === undefined || q === '') return 'Warn';
  if (q === 'Strict' || q === 'Warn' || q === 'Ignore') return q;
  throw badRequest(`fieldValidation must be one of Strict, Warn, Ignore; got "${q}"`, [
    { reason: 'FieldValueNotSupported', field: 'fieldValidation', message: `Unsupported value: "${q}"` },
  ]);
}

export interface AdmissionContext {
  type: ResourceType;
  namespace: string;
  /** The name from the URL, when the request has one. */
  name: string;
  /** Who asks. */
  user: UserInfo;
  fieldValidation: FieldValidation;
  /** Collected `Warning` headers. */
  warnings: string[];
}

/**
 * Checks a decoded body is an object of the type the URL names, and fills apiVersion/kind when a
 * client left them out. Throws 400 for anything that is not an object of this type.
 */
export function decodeAs(ctx: AdmissionContext, body: unknown): KubeObject {
  const { type } = ctx;
  if (!isPlainObject(body)) throw badRequest(`the body of the request must be a ${type.kind} object`);
  const expected = apiVersionOf(type);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  }
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
    throw badRequest('metadata must be an object', [{ reason: 'FieldValueTypeInvalid', field: 'metadata', message: 'Invalid value: must be an object' }]);
  }
  const obj = { ...body, apiVersion: expected, kind: type.kind, metadata: { ...((body.metadata as object) ?? {}) } } as KubeObject;
  const ns = obj.metadata.namespace;
  if (type.namespaced && ns !== undefined && ns !== '' && ns !== ctx.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (ctx.name && obj.metadata.name !== undefined && obj.metadata.name !== ctx.name) {
    throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${ctx.name})`);
  }
  if (ctx.name && obj.metadata.name === undefined) obj.metadata.name = ctx.name;
  if (type.namespaced) obj.metadata.namespace = ctx.namespace;
  else delete obj.metadata.namespace;
  return obj;
}

/** Strict field validation, as `fieldValidation` asks. */
export function checkFields(ctx: AdmissionContext, obj: KubeObject): void {
  if (ctx.fieldValidation === 'Ignore') return;
  const unknown = unknownFields(ctx.type, obj);
  if (unknown.length === 0) return;
  if (ctx.fieldValidation === 'Strict') {
    throw badRequest(
      `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
      unknown.map((f) => ({ reason: 'FieldValueInvalid', field: f, message: `unknown field "${f}"` })),
    );
  }
  for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
}

/** Defaults and validates an object about to be created or to replace `old`. Throws 422 Invalid. */
export function admit(ctx: AdmissionContext, obj: KubeObject, old?: KubeObject): KubeObject {
  checkFields(ctx, obj);
  applyDefaults(ctx.type, obj);
  const errors: FieldError[] = validateObject(ctx.type, obj, old);
  if (errors.length > 0) {
    throw invalid(ctx.type.kind, obj.metadata?.name ?? obj.metadata?.generateName ?? '', ctx.type.group, errors);
  }
  return obj;
}

// ---- tenancy admission: RBAC escalation, pod security, LimitRange, ResourceQuota ------------------

/**
 * The admission steps that need the cluster's state and the caller: they run inside the write's
 * store transaction, so a quota check and the write it admits commit (or fail) together.
 */
@Injectable()
export class TenancyAdmission {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(AUTHORIZER) private readonly authz: Authorizer,
  ) {}

  private get policy(): Policy | undefined {
    return this.authz instanceof RbacAuthorizer ? this.authz.current() : undefined;
  }

  /** Runs every step for a create (`old` undefined) or an update. Mutates `obj` (LimitRange defaults). */
  async admitInTx(tx: WriteTx, ctx: AdmissionContext, obj: KubeObject, old?: KubeObject): Promise<void> {
    const user = ctx.user;
    const rk = resourceKey(ctx.type);
    if (user && !user.groups.includes('system:masters')) {
      this.checkEscalation(user, ctx, obj);
      if (rk === 'core/namespaces') this.checkNamespaceLabels(user, obj, old);
    }
    // The same steps every controller create passes (apps/controller/src/apply-actions.ts).
    try {
      await admitInTx(tx, this.store, ctx.type, ctx.namespace, obj, old, ctx.warnings);
    } catch (err) {
      if (err instanceof AdmissionDenied) throw forbidden(err.message);
      throw err;
    }
    if (rk === 'core/services') await allocateNodePorts(tx, obj, old);
  }

  private checkEscalation(user: UserInfo, ctx: AdmissionContext, obj: KubeObject): void {
    const p = this.policy;
    if (!p || ctx.type.group !== RBAC_GROUP) return;
    const ns = ctx.type.namespaced ? ctx.namespace : '';
    const held = p.rulesFor(user, ns);
    const owned = [...held.cluster, ...held.namespaced];
    const can = (verb: string, resource: string, name: string) => p.allows(user, { verb, group: RBAC_GROUP, resource, subresource: '', namespace: ns, name });
    const deny = (what: string, rules: PolicyRule[]) =>
      forbidden(
        `${qualifiedName(ctx, obj)} is forbidden: user "${user.username}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${rules
          .map(describeRule)
          .join('\n')}${what}`,
      );
    if (ctx.type.plural === 'roles' || ctx.type.plural === 'clusterroles') {
      const rules = ((obj as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
      const missing = uncoveredRules(owned, rules);
      if (missing.length && !can('escalate', ctx.type.plural, obj.metadata.name ?? '')) throw deny('', missing);
      return;
    }
    const ref = (obj as { roleRef?: RoleRef }).roleRef;
    if (!ref) return;
    const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (can('bind', roleResource, ref.name)) return;
    const rules = p.roleRules(ref, ns);
    if (!rules)
      throw forbidden(`${qualifiedName(ctx, obj)} is forbidden: ${ref.kind.toLowerCase()}s.${RBAC_GROUP} "${ref.name}" not found and the user may not bind it`);
    const missing = uncoveredRules(owned, rules);
    if (missing.length) throw deny('', missing);
  }

  private checkNamespaceLabels(user: UserInfo, obj: KubeObject, old?: KubeObject): void {
    const now = obj.metadata.labels?.[ENFORCE_LABEL];
    const before = old?.metadata.labels?.[ENFORCE_LABEL];
    if (now === before) return;
    const p = this.policy;
    const clusterAdmin = p?.allows(user, { verb: '*', group: '*', resource: '*', subresource: '', namespace: '', name: '' });
    if (!clusterAdmin) throw forbidden(`namespaces "${obj.metadata.name ?? ''}" is forbidden: only cluster admins may set the label ${ENFORCE_LABEL}`);
  }
}

function qualifiedName(ctx: AdmissionContext, obj: KubeObject): string {
  return kubeName(ctx.type, obj);
}
