// delete and deletecollection, with the one DeleteOptions reading (./delete-options).
import { Inject, Injectable } from '@nestjs/common';
import { apiVersionOf, KubeObject } from '@flotilla/resources';
import { Store, StoreError } from '@flotilla/store';
import { STORE } from '../../tokens';
import { deleteOptionsOf } from '../delete-options';
import { json, Reply, ResourceRequest, selectorMatcher } from '../request';

@Injectable()
export class DeleteVerbs {
  constructor(@Inject(STORE) private readonly store: Store) {}

  /** 200 with the object when it is gone, 202 with it when finalizers or a grace period keep it a while. */
  async delete(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const r = await this.store.delete(type, namespace, name, deleteOptionsOf(req));
    return json(r.removed ? 200 : 202, r.object);
  }

  async deleteCollection(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    const opts = deleteOptionsOf(req);
    const match = selectorMatcher(req);
    const { items } = await this.store.list(type, { namespace: namespace || undefined, match });
    const deleted: KubeObject[] = [];
    for (const e of items) {
      try {
        deleted.push((await this.store.delete(type, e.namespace, e.name, opts)).object);
      } catch (err) {
        // Deleted by someone else meanwhile: what was asked for is done.
        if (!(err instanceof StoreError && err.reason === 'NotFound')) throw err;
      }
    }
    return json(200, { kind: type.listKind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(this.store.cache.rv) }, items: deleted });
  }
}
