// {resource}/status: read as the object itself; written (update or patch) by controllers and agents,
// which may change only the status (the store keeps the rest).
import { Inject, Injectable } from '@nestjs/common';
import { notFound, Store } from '@flotilla/store';
import { STORE } from '../../tokens';
import { decodeAs } from '../admission';
import { decodeBody, parseJson, patchTypeOf } from '../body';
import { patchObject } from '../objects';
import { dryRunParam, flag, one } from '../query';
import { admissionContext, header, json, Reply, ResourceRequest } from '../request';
import { ApiError } from '../status';
import { ReadVerbs } from '../verbs/read';
import type { SubresourceHandler } from './registry';

@Injectable()
export class StatusSubresource implements SubresourceHandler {
  readonly subresources = ['status'];

  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly reads: ReadVerbs,
  ) {}

  async serve(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb === 'get') return this.reads.get(req);
    const ctx = admissionContext(req);
    if (verb !== 'update' && verb !== 'patch') throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on ${type.plural}/status`);
    const body = verb === 'patch' ? undefined : decodeAs(ctx, decodeBody(req.body, header(req, 'content-type')));
    const ptype = verb === 'patch' ? patchTypeOf(header(req, 'content-type')) : undefined;
    const patchBody = verb === 'patch' ? parseJson(req.body ?? '') : undefined;
    const dry = dryRunParam(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const current = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!current) throw notFound(type.plural, type.group, name);
        const next = body ?? decodeAs(ctx, patchObject(ctx, ptype!, current, patchBody, one(req.query, 'fieldManager') ?? '', flag(req.query, 'force')));
        return this.store.updateIn(tx, type, next, namespace, 'status');
      },
      { dryRun: dry },
    );
    return json(200, updated);
  }
}
