// The Kubernetes resource verbs: get, list, watch, create, update, patch, delete, deletecollection,
// and the status, scale, binding and finalize subresources. Requests arrive authenticated,
// authorised and parsed into a RequestInfo; objects leave through the store.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch, describeApplyConflicts, PatchError } from '@flotilla/patch';
import {
  apiVersionOf,
  FieldSelectorError,
  KubeObject,
  labelSelectorToString,
  matchesFieldSelector,
  matchesSelector,
  parseFieldSelector,
  parseLabelSelector,
  resourceFor,
  ResourceType,
  SelectorError,
  toTable,
  type LabelSelector,
} from '@flotilla/resources';
import { DeleteOptions, Entry, PropagationPolicy, randomSuffix, Store, StoreError, Watcher, WatchEvent } from '@flotilla/store';
import type { Visibility } from '../auth/request-context';
import type { UserInfo } from '../auth/user';
import { admit, AdmissionContext, checkFields, decodeAs, fieldValidationOf, TenancyAdmission } from './admission';
import { decodeBody, isPlainObject, parseJson, patchTypeOf } from './body';
import { negotiate, Wanted } from './negotiate';
import { PodConnectService } from './pod-connect';
import { PodLogService } from './pod-log';
import { EncodedLines, WatchBuffers } from './watch-buffers';
import { flag, one, type Query } from './query';
import type { RequestInfo } from './request-info';
import { ApiError, badRequest, status, toStatus } from './status';
import type { Config } from '../config';
import { CONFIG, STORE } from '../tokens';

export type { Query };

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

const NAMESPACES = resourceFor('', 'v1', 'namespaces') as ResourceType;
const MAX_WATCH_SECONDS = 1800;

function intParam(q: Query, key: string): number | undefined {
  const v = one(q, key);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw badRequest(`${key} must be an integer, got "${v}"`, [{ reason: 'FieldValueInvalid', field: key, message: `Invalid value: "${v}"` }]);
  return Number(v);
}

function dryRun(q: Query): boolean {
  const v = q.dryRun;
  const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
  for (const x of values) if (x !== 'All') throw badRequest(`dryRun may only be "All", got "${x}"`);
  return values.length > 0;
}

function json(code: number, obj: unknown, warnings?: string[]): Reply {
  return { code, json: JSON.stringify(obj), warnings };
}

@Injectable()
export class ResourceService {
  private readonly watchBuffers: WatchBuffers;
  private readonly encodedLines = new EncodedLines();

  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly tenancy: TenancyAdmission,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.watchBuffers = new WatchBuffers(config.watchMaxTotalQueuedBytes);
  }

  async handle(req: ResourceRequest): Promise<Reply | 'streamed' | 'upgraded'> {
    const { info } = req;
    switch (info.subresource) {
      case '':
        break;
      case 'status':
        return this.statusSubresource(req);
      case 'scale':
        return this.scale(req);
      case 'binding':
        return this.binding(req);
      case 'finalize':
        return this.finalize(req);
      case 'log':
        return PodLogService.serve(req);
      case 'exec':
      case 'portforward':
        return PodConnectService.serve(req);
      case 'eviction':
        return this.evict(req);
      default:
        throw new ApiError(
          404,
          'NotFound',
          `the server could not find the requested resource (${info.subresource} is served by the node agent and is not available yet)`,
        );
    }
    switch (info.verb) {
      case 'get':
        return this.get(req);
      case 'list':
        return this.list(req);
      case 'watch':
        return this.watch(req);
      case 'create':
        return this.create(req);
      case 'update':
        return this.update(req);
      case 'patch':
        return this.patch(req);
      case 'delete':
        return this.delete(req);
      case 'deletecollection':
        return this.deleteCollection(req);
    }
  }

  private ctx(req: ResourceRequest, name = req.info.name): AdmissionContext {
    return {
      type: req.info.type,
      namespace: req.info.namespace,
      name,
      user: req.user,
      fieldValidation: fieldValidationOf(one(req.query, 'fieldValidation')),
      warnings: [],
    };
  }

  private wanted(req: ResourceRequest): Wanted {
    const accept = req.headers.accept;
    return negotiate(Array.isArray(accept) ? accept.join(',') : accept, one(req.query, 'includeObject'));
  }

  private async mustGet(t: ResourceType, namespace: string, name: string, consistent = true): Promise<Entry> {
    const e = await this.store.get(t, namespace, name, { consistent });
    if (!e) throw new StoreError('NotFound', `${t.group ? `${t.plural}.${t.group}` : t.plural} "${name}" not found`, { group: t.group, kind: t.plural, name });
    return e;
  }

  private async requireNamespace(namespace: string, forCreate: boolean): Promise<void> {
    if (!namespace) return;
    // The fast read may miss a namespace created a moment ago (the cache not yet caught up); a miss is
    // confirmed by a consistent read, so a create right after its namespace's create never answers 404.
    const ns =
      (await this.store.get(NAMESPACES, '', namespace, { consistent: false })) ?? (await this.store.get(NAMESPACES, '', namespace, { consistent: true }));
    if (!ns) throw new StoreError('NotFound', `namespaces "${namespace}" not found`, { group: '', kind: 'namespaces', name: namespace });
    if (forCreate && ns.obj.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  // ---- reads -------------------------------------------------------------------------------------

  private async get(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const rv = one(req.query, 'resourceVersion');
    const e = await this.mustGet(type, namespace, name, rv !== '0');
    const w = this.wanted(req);
    if (w.table) return json(200, toTable(type, [e.obj], { resourceVersion: String(e.rv), includeObject: w.includeObject }));
    return { code: 200, json: e.json };
  }

  private matcher(req: ResourceRequest): ((o: KubeObject) => boolean) | undefined {
    const { type } = req.info;
    let labels: ReturnType<typeof parseLabelSelector> | undefined;
    let fields: ReturnType<typeof parseFieldSelector> | undefined;
    try {
      const ls = one(req.query, 'labelSelector');
      if (ls) labels = parseLabelSelector(ls);
      const fs = one(req.query, 'fieldSelector');
      if (fs) fields = parseFieldSelector(fs, type);
    } catch (err) {
      if (err instanceof SelectorError || err instanceof FieldSelectorError) throw badRequest(`unable to parse requirement: ${err.message}`);
      throw err;
    }
    const visible = req.visible;
    if (!labels && !fields) return visible;
    return (o) => (!visible || visible(o)) && (!labels || matchesSelector(labels, o.metadata.labels)) && (!fields || matchesFieldSelector(fields, o));
  }

  private async list(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    const limit = intParam(req.query, 'limit');
    const rv = one(req.query, 'resourceVersion');
    const cont = one(req.query, 'continue');
    const match = this.matcher(req);
    if (namespace) await this.requireNamespace(namespace, false);
    const read = rv === '0' ? { consistent: false } : rv && /^\d+$/.test(rv) ? { minRv: Number(rv) } : {};
    const result = await this.store.list(type, { namespace: namespace || undefined, match, limit, continueToken: cont }, read);
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continueToken) meta.continue = result.continueToken;
    if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
    const w = this.wanted(req);
    if (w.table) {
      return json(
        200,
        toTable(
          type,
          result.items.map((e) => e.obj),
          { resourceVersion: result.resourceVersion, continue: result.continueToken, includeObject: w.includeObject },
        ),
      );
    }
    // Items are concatenated from their stored JSON: a LIST of thousands never re-serialises them.
    const head = `{"kind":"${type.listKind}","apiVersion":"${apiVersionOf(type)}","metadata":${JSON.stringify(meta)},"items":[`;
    return { code: 200, json: head + result.items.map((e) => e.json).join(',') + ']}' };
  }

  private async watch(req: ResourceRequest): Promise<'streamed'> {
    const { type, namespace, name } = req.info;
    const rvParam = one(req.query, 'resourceVersion');
    if (rvParam !== undefined && rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resourceVersion "${rvParam}"`);
    const fromRv = rvParam ? Number(rvParam) : undefined;
    const baseMatch = this.matcher(req);
    const match = name ? (o: KubeObject) => o.metadata.name === name && (!baseMatch || baseMatch(o)) : baseMatch;
    const timeout = Math.min(intParam(req.query, 'timeoutSeconds') ?? MAX_WATCH_SECONDS, MAX_WATCH_SECONDS);
    const bookmarks = flag(req.query, 'allowWatchBookmarks');
    const w = this.wanted(req);
    if (namespace) await this.requireNamespace(namespace, false);
    const res = req.res;
    let watcher: Watcher;
    try {
      watcher = await this.store.watch(type, fromRv, { namespace: namespace || undefined, match, maxQueueBytes: this.config.watchMaxQueuedBytes });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 410)) throw err;
      // As kube-apiserver does: a 200 stream carrying one ERROR event, so clients re-list and resume.
      req.onClose(() => undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"type":"ERROR","object":${JSON.stringify(toStatus(err))}}\n`);
      return 'streamed';
    }
    req.onClose(() => finish());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let done = false;
    const queued = this.watchBuffers.open(res);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(bookmarkTimer);
      queued.close();
      watcher.close();
    };
    const timer = setTimeout(finish, timeout * 1000);
    const bookmarkTimer = setInterval(() => {
      if (!bookmarks) return;
      const obj = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(this.store.cache.rv) } };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
    }, 30_000);
    const line = (ev: WatchEvent): Buffer | string => {
      if (!w.table) return this.encodedLines.get(ev.obj, ev.type, ev.json);
      const table = JSON.stringify(toTable(type, [ev.obj], { resourceVersion: String(ev.rv), includeObject: w.includeObject }));
      return `{"type":"${ev.type}","object":${table}}\n`;
    };
    try {
      for (;;) {
        const ev = await watcher.next();
        if (!ev) break;
        // Whatever else is already queued goes out in the same flush.
        const more = watcher.drain();
        let flowing: boolean;
        if (more.length === 0) flowing = res.write(line(ev));
        else {
          res.cork();
          flowing = res.write(line(ev));
          for (const m of more) flowing = res.write(line(m));
          res.uncork();
        }
        queued.update();
        const keep = !queued.overShare() && (flowing || (await this.drained(res)));
        queued.update();
        if (!keep) {
          // A client that stopped reading cannot be told why: drop its connection so the buffers
          // it pins are freed; its next LIST and WATCH resume it, as with kube-apiserver.
          res.destroy();
          return 'streamed';
        }
      }
      const err = watcher.error;
      if (err) res.write(`{"type":"ERROR","object":${JSON.stringify(toStatus(err))}}\n`);
    } finally {
      finish();
      res.end();
    }
    return 'streamed';
  }

  /**
   * Waits for the socket to drain. False when it does not within the stall bound, or when the bytes
   * waiting in it exceed the byte bound: both mean the client stopped reading.
   */
  private drained(res: ServerResponse): Promise<boolean> {
    if (res.writableLength > this.config.watchMaxQueuedBytes) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onDrain = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        res.off('drain', onDrain);
        resolve(false);
      }, this.config.watchStallSeconds * 1000);
      res.once('drain', onDrain);
    });
  }

  // ---- writes ------------------------------------------------------------------------------------

  private async create(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    if (type.namespaced && !namespace) throw badRequest(`${type.kind} must be created in a namespace: use /namespaces/{namespace}/${type.plural}`);
    const ctx = this.ctx(req, '');
    const obj = admit(ctx, withFreshUid(decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')))));
    await this.requireNamespace(namespace, true);
    const created = await this.createAdmitted(ctx, obj, namespace, dryRun(req.query));
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

  private async update(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const ctx = this.ctx(req);
    const obj = decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')));
    const dry = dryRun(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const old = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!old) throw new StoreError('NotFound', `${qualified(type)} "${name}" not found`, { group: type.group, kind: type.plural, name });
        const next = admit(ctx, obj, old);
        await this.tenancy.admitInTx(tx, ctx, next, old);
        return this.store.updateIn(tx, type, next, namespace);
      },
      { dryRun: dry },
    );
    return json(200, updated, ctx.warnings);
  }

  private async patch(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const ptype = patchTypeOf(header(req, 'content-type'));
    const ctx = this.ctx(req);
    if (!req.body?.length) throw badRequest('the body of the request was empty: send a patch');
    const patchBody = ptype === 'apply' ? decodeBody(req.body, 'application/apply-patch+yaml') : parseJson(req.body);
    const dry = dryRun(req.query);
    const manager = one(req.query, 'fieldManager') ?? '';
    const force = flag(req.query, 'force');
    if (ptype === 'apply' && !manager) throw badRequest('fieldManager is required for apply requests (add ?fieldManager=<name>)');
    let createdByApply = false;
    const result = await this.store.transaction(
      async (tx) => {
        const ns = type.namespaced ? namespace : '';
        const current = await tx.read(type, ns, name);
        if (!current) {
          if (ptype !== 'apply') throw new StoreError('NotFound', `${qualified(type)} "${name}" not found`, { group: type.group, kind: type.plural, name });
          // Server-side apply creates what does not exist yet.
          const applied = decodeAs(ctx, patchBody);
          const { object } = applyServerSideApply(undefined, applied, manager, force, new Date().toISOString());
          await this.requireNamespace(namespace, true);
          createdByApply = true;
          const fresh = admit(ctx, withFreshUid(object as KubeObject));
          await this.tenancy.admitInTx(tx, ctx, fresh);
          return this.store.createIn(tx, type, fresh, namespace);
        }
        const patched = this.applyPatch(ctx, ptype, current, patchBody, manager, force);
        const obj = decodeAs(ctx, patched);
        const next = admit(ctx, obj, current);
        await this.tenancy.admitInTx(tx, ctx, next, current);
        return this.store.updateIn(tx, type, next, namespace);
      },
      { dryRun: dry },
    );
    return json(createdByApply ? 201 : 200, result, ctx.warnings);
  }

  private applyPatch(
    ctx: AdmissionContext,
    ptype: ReturnType<typeof patchTypeOf>,
    current: KubeObject,
    patch: unknown,
    manager: string,
    force: boolean,
  ): unknown {
    try {
      switch (ptype) {
        case 'json':
          return applyJsonPatch(current, patch);
        case 'merge':
          return applyMergePatch(current, patch);
        case 'strategic':
          return applyStrategicMergePatch(current, patch, ctx.type.kind);
        case 'apply': {
          const applied = decodeAs(ctx, patch);
          checkFields(ctx, applied);
          const r = applyServerSideApply(current, applied, manager, force, new Date().toISOString());
          if (r.conflictDetails.length > 0) {
            throw new ApiError(409, 'Conflict', describeApplyConflicts(r.conflictDetails), {
              name: current.metadata.name,
              group: ctx.type.group,
              kind: ctx.type.plural,
              causes: r.conflictDetails.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.path })),
            });
          }
          return r.object;
        }
      }
    } catch (err) {
      if (err instanceof PatchError) {
        throw new ApiError(
          422,
          'Invalid',
          `the patch could not be applied: ${err.message}`,
          err.field ? { causes: [{ reason: 'FieldValueInvalid', message: err.message, field: err.field }] } : undefined,
        );
      }
      throw err;
    }
  }

  private deleteOptions(req: ResourceRequest): DeleteOptions {
    const body = req.body && req.body.length ? parseJson(req.body) : {};
    if (!isPlainObject(body)) throw badRequest('DeleteOptions must be an object');
    const grace = body.gracePeriodSeconds ?? intParam(req.query, 'gracePeriodSeconds');
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
      throw badRequest('gracePeriodSeconds must be a non-negative integer', [
        { reason: 'FieldValueInvalid', field: 'gracePeriodSeconds', message: 'must be a non-negative integer' },
      ]);
    }
    let policy = (body.propagationPolicy ?? one(req.query, 'propagationPolicy')) as string | undefined;
    if (policy === undefined && typeof body.orphanDependents === 'boolean') policy = body.orphanDependents ? 'Orphan' : 'Background';
    if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, got "${policy}"`, [
        { reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${policy}"` },
      ]);
    }
    const pre = isPlainObject(body.preconditions) ? body.preconditions : {};
    const bodyDry = Array.isArray(body.dryRun) && body.dryRun.includes('All');
    return {
      gracePeriodSeconds: grace as number | undefined,
      propagationPolicy: policy as PropagationPolicy | undefined,
      preconditions: {
        uid: typeof pre.uid === 'string' ? pre.uid : undefined,
        resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined,
      },
      dryRun: dryRun(req.query) || bodyDry,
    };
  }

  private async delete(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const opts = this.deleteOptions(req);
    const r = await this.store.delete(type, namespace, name, opts);
    return json(r.removed ? 200 : 202, r.object);
  }

  private async deleteCollection(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    const opts = this.deleteOptions(req);
    const match = this.matcher(req);
    const { items } = await this.store.list(type, { namespace: namespace || undefined, match });
    const deleted: KubeObject[] = [];
    for (const e of items) {
      try {
        deleted.push((await this.store.delete(type, e.namespace, e.name, opts)).object);
      } catch (err) {
        if (!(err instanceof StoreError && err.reason === 'NotFound')) throw err;
      }
    }
    return json(200, { kind: type.listKind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(this.store.cache.rv) }, items: deleted });
  }

  // ---- subresources ------------------------------------------------------------------------------

  private async statusSubresource(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb === 'get') return this.get(req);
    const ctx = this.ctx(req);
    if (verb !== 'update' && verb !== 'patch') throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on ${type.plural}/status`);
    const body = verb === 'patch' ? undefined : decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')));
    const ptype = verb === 'patch' ? patchTypeOf(header(req, 'content-type')) : undefined;
    const patchBody = verb === 'patch' ? parseJson(req.body ?? '') : undefined;
    const dry = dryRun(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const current = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!current) throw new StoreError('NotFound', `${qualified(type)} "${name}" not found`, { group: type.group, kind: type.plural, name });
        const next = body ?? decodeAs(ctx, this.applyPatch(ctx, ptype!, current, patchBody, one(req.query, 'fieldManager') ?? '', flag(req.query, 'force')));
        return this.store.updateIn(tx, type, next, namespace, 'status');
      },
      { dryRun: dry },
    );
    return json(200, updated);
  }

  private scaleOf(type: ResourceType, obj: KubeObject): KubeObject {
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
    const st = (obj.status ?? {}) as { replicas?: number };
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: st.replicas ?? 0, selector: labelSelectorToString(spec.selector) },
    };
  }

  private async scale(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb === 'get') return json(200, this.scaleOf(type, (await this.mustGet(type, namespace, name)).obj));
    if (verb !== 'update' && verb !== 'patch') throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on ${type.plural}/scale`);
    const dry = dryRun(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const current = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!current) throw new StoreError('NotFound', `${qualified(type)} "${name}" not found`, { group: type.group, kind: type.plural, name });
        const scale = this.scaleOf(type, current);
        let next: unknown;
        if (verb === 'update') next = decodeBody(req.body, header(req, 'content-type'));
        else {
          const ptype = patchTypeOf(header(req, 'content-type'));
          const patch = parseJson(req.body ?? '');
          try {
            next = ptype === 'json' ? applyJsonPatch(scale, patch) : ptype === 'merge' || ptype === 'strategic' ? applyMergePatch(scale, patch) : undefined;
          } catch (err) {
            if (err instanceof PatchError) throw new ApiError(422, 'Invalid', `the patch could not be applied: ${err.message}`);
            throw err;
          }
          if (next === undefined) throw new ApiError(415, 'UnsupportedMediaType', 'apply patches are not supported on the scale subresource');
        }
        if (!isPlainObject(next)) throw badRequest('the body must be a Scale object');
        const spec = isPlainObject(next.spec) ? next.spec : {};
        const replicas = spec.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
          throw new ApiError(
            422,
            'Invalid',
            `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
            {
              name,
              group: 'autoscaling',
              kind: 'Scale',
              causes: [
                {
                  reason: 'FieldValueInvalid',
                  field: 'spec.replicas',
                  message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
                },
              ],
            },
          );
        }
        const meta = isPlainObject(next.metadata) ? next.metadata : {};
        const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
        const obj: KubeObject = {
          ...current,
          metadata: { ...current.metadata, resourceVersion: rv ?? current.metadata.resourceVersion },
          spec: { ...(current.spec as object), replicas },
        };
        return this.store.updateIn(tx, type, obj, namespace);
      },
      { dryRun: dry },
    );
    return json(200, this.scaleOf(type, updated));
  }

  /** POST pods/{name}/binding: the scheduler's way to put a pod on a node (once). */
  private async binding(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'only POST is supported on pods/binding');
    const body = decodeBody(req.body, header(req, 'content-type'));
    const target = isPlainObject(body) && isPlainObject(body.target) ? body.target : undefined;
    const nodeName = target && typeof target.name === 'string' ? target.name : '';
    if (!nodeName)
      throw new ApiError(422, 'Invalid', 'Binding is invalid: target.name: Required value', {
        causes: [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }],
      });
    await this.store.guaranteedUpdate(type, namespace, name, (pod) => {
      const spec = pod.spec as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw new StoreError('Conflict', `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName)
        throw new StoreError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"`);
      return { ...pod, spec: { ...spec, nodeName } };
    });
    return json(201, status(201, '', '', undefined));
  }

  /**
   * POST pods/{name}/eviction (what `kubectl drain` sends): a graceful delete of the pod, honouring the
   * Eviction's deleteOptions. Disruption budgets are not modelled yet, so an eviction is never refused.
   */
  private async evict(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'only POST is supported on pods/eviction');
    const body = decodeBody(req.body, header(req, 'content-type'));
    if (body !== undefined && !isPlainObject(body)) throw badRequest('the body must be an Eviction object');
    const opts = isPlainObject(body) && isPlainObject(body.deleteOptions) ? body.deleteOptions : {};
    const grace = opts.gracePeriodSeconds;
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
      throw badRequest('deleteOptions.gracePeriodSeconds must be a non-negative integer', [
        { reason: 'FieldValueInvalid', field: 'deleteOptions.gracePeriodSeconds', message: 'must be a non-negative integer' },
      ]);
    }
    const pre = isPlainObject(opts.preconditions) ? opts.preconditions : {};
    await this.store.delete(type, namespace, name, {
      gracePeriodSeconds: grace as number | undefined,
      preconditions: {
        uid: typeof pre.uid === 'string' ? pre.uid : undefined,
        resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined,
      },
      dryRun: dryRun(req.query),
    });
    return json(201, status(201, '', '', undefined));
  }

  /** PUT namespaces/{name}/finalize: the namespace controller clears spec.finalizers when the namespace is empty. */
  private async finalize(req: ResourceRequest): Promise<Reply> {
    const { type, name, verb } = req.info;
    if (verb !== 'update') throw new ApiError(405, 'MethodNotAllowed', 'only PUT is supported on namespaces/finalize');
    const body = decodeBody(req.body, header(req, 'content-type'));
    const finalizers =
      isPlainObject(body) && isPlainObject(body.spec) && Array.isArray(body.spec.finalizers)
        ? body.spec.finalizers.filter((f): f is string => typeof f === 'string')
        : [];
    const updated = await this.store.transaction(async (tx) => {
      const current = await tx.read(type, '', name);
      if (!current) throw new StoreError('NotFound', `namespaces "${name}" not found`, { group: '', kind: 'namespaces', name });
      const next: KubeObject = { ...current, spec: { ...(current.spec as object), finalizers } };
      return this.store.updateIn(tx, type, next, '', 'finalize');
    });
    return json(200, updated);
  }
}

/**
 * A new object gets its uid before admission (defaulting derives a Job's selector from it); whatever
 * uid a client sent is replaced.
 */
function withFreshUid(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: randomUUID() } };
}

function header(req: ResourceRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function qualified(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export { toStatus };
