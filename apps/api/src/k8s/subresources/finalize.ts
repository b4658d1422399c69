// PUT namespaces/{name}/finalize: the namespace controller clears spec.finalizers when the namespace is empty.
import { Inject, Injectable } from '@nestjs/common';
import type { KubeObject } from '@flotilla/resources';
import { notFound, Store } from '@flotilla/store';
import { STORE } from '../../tokens';
import { decodeBody, isPlainObject } from '../body';
import { header, json, Reply, ResourceRequest } from '../request';
import { ApiError } from '../status';
import type { SubresourceHandler } from './registry';

@Injectable()
export class FinalizeSubresource implements SubresourceHandler {
  readonly subresources = ['finalize'];

  constructor(@Inject(STORE) private readonly store: Store) {}

  async serve(req: ResourceRequest): Promise<Reply> {
    const { type, name, verb } = req.info;
    if (verb !== 'update') throw new ApiError(405, 'MethodNotAllowed', 'only PUT is supported on namespaces/finalize');
    const body = decodeBody(req.body, header(req, 'content-type'));
    const finalizers =
      isPlainObject(body) && isPlainObject(body.spec) && Array.isArray(body.spec.finalizers)
        ? body.spec.finalizers.filter((f): f is string => typeof f === 'string')
        : [];
    const updated = await this.store.transaction(async (tx) => {
      const current = await tx.read(type, '', name);
      if (!current) throw notFound(type.plural, type.group, name);
      const next: KubeObject = { ...current, spec: { ...(current.spec as object), finalizers } };
      return this.store.updateIn(tx, type, next, '', 'finalize');
    });
    return json(200, updated);
  }
}
