// POST pods/{name}/binding: the scheduler's way to put a pod on a node (once).
import { Inject, Injectable } from '@nestjs/common';
import { Store, StoreError } from '@flotilla/store';
import { STORE } from '../../tokens';
import { decodeBody, isPlainObject } from '../body';
import { header, json, Reply, ResourceRequest } from '../request';
import { ApiError, status } from '../status';
import type { SubresourceHandler } from './registry';

@Injectable()
export class BindingSubresource implements SubresourceHandler {
  readonly subresources = ['binding'];

  constructor(@Inject(STORE) private readonly store: Store) {}

  async serve(req: ResourceRequest): Promise<Reply> {
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
}
