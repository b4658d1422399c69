// create, update and patch: decode, admit (the pure steps first, then the ones that read cluster state
// inside the write's transaction), store. A server-side apply of something missing creates it.
import { Injectable, Inject } from '@nestjs/common';
import { applyServerSideApply } from '@flotilla/patch';
import type { KubeObject } from '@flotilla/resources';
import { notFound, randomSuffix, Store, StoreError } from '@flotilla/store';
import { STORE } from '../../tokens';
import { admit, AdmissionContext, decodeAs, TenancyAdmission } from '../admission';
import { decodeBody, parseJson, patchTypeOf } from '../body';
import { patchObject, requireNamespace, withFreshUid } from '../objects';
import { dryRunParam, flag, one } from '../query';
import { admissionContext, header, json, Reply, ResourceRequest } from '../request';
import { badRequest } from '../status';

@Injectable()
export class WriteVerbs {
  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly tenancy: TenancyAdmission,
  ) {}

  async create(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    if (type.namespaced && !namespace) throw badRequest(`${type.kind} must be created in a namespace: use /namespaces/{namespace}/${type.plural}`);
    const ctx = admissionContext(req, '');
    const obj = admit(ctx, withFreshUid(decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')))));
    await requireNamespace(this.store, namespace, true);
    const created = await this.createAdmitted(ctx, obj, namespace, dryRunParam(req.query));
    return json(201, created, ctx.warnings);
  }

  /**
   * Creates in one transaction with the admission steps that read cluster state (quota usage is
   * counted and updated under the quota's row lock). A generated name that collides is retried.
   */
  private async createAdmitted(ctx: AdmissionContext, obj: KubeObject, namespace: string, dry: boolean): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const named =
        !obj.metadata.name && obj.metadata.generateName ? { ...obj, metadata: { ...obj.metadata, name: obj.metadata.generateName + randomSuffix() } } : obj;
      try {
        return await this.store.transaction(
          async (tx) => {
            const candidate = structuredClone(named);
            await this.tenancy.admitInTx(tx, ctx, candidate);
            return this.store.createIn(tx, ctx.type, candidate, namespace);
          },
          { dryRun: dry },
        );
      } catch (err) {
        if (err instanceof StoreError && err.reason === 'AlreadyExists' && named !== obj && attempt < 8) continue;
        throw err;
      }
    }
  }

  async update(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const ctx = admissionContext(req);
    const obj = decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')));
    const dry = dryRunParam(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const old = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!old) throw notFound(type.plural, type.group, name);
        const next = admit(ctx, obj, old);
        await this.tenancy.admitInTx(tx, ctx, next, old);
        return this.store.updateIn(tx, type, next, namespace);
      },
      { dryRun: dry },
    );
    return json(200, updated, ctx.warnings);
  }

  async patch(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const ptype = patchTypeOf(header(req, 'content-type'));
    const ctx = admissionContext(req);
    if (!req.body?.length) throw badRequest('the body of the request was empty: send a patch');
    const patchBody = ptype === 'apply' ? decodeBody(req.body, 'application/apply-patch+yaml') : parseJson(req.body);
    const dry = dryRunParam(req.query);
    const manager = one(req.query, 'fieldManager') ?? '';
    const force = flag(req.query, 'force');
    if (ptype === 'apply' && !manager) {
      throw badRequest('fieldManager is required for apply requests (add ?fieldManager=<name>)', [
        { reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value' },
      ]);
    }
    let createdByApply = false;
    const result = await this.store.transaction(
      async (tx) => {
        const ns = type.namespaced ? namespace : '';
        const current = await tx.read(type, ns, name);
        if (!current) {
          if (ptype !== 'apply') throw notFound(type.plural, type.group, name);
          // Server-side apply creates what does not exist yet.
          const applied = decodeAs(ctx, patchBody);
          const { object } = applyServerSideApply(undefined, applied, manager, force, new Date().toISOString());
          await requireNamespace(this.store, namespace, true);
          createdByApply = true;
          const fresh = admit(ctx, withFreshUid(object as KubeObject));
          await this.tenancy.admitInTx(tx, ctx, fresh);
          return this.store.createIn(tx, type, fresh, namespace);
        }
        const patched = patchObject(ctx, ptype, current, patchBody, manager, force);
        const obj = decodeAs(ctx, patched);
        const next = admit(ctx, obj, current);
        await this.tenancy.admitInTx(tx, ctx, next, current);
        return this.store.updateIn(tx, type, next, namespace);
      },
      { dryRun: dry },
    );
    return json(createdByApply ? 201 : 200, result, ctx.warnings);
  }
}
