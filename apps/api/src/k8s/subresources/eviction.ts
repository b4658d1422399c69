// POST pods/{name}/eviction (what `kubectl drain` sends): a graceful delete of the pod, honouring the
// Eviction's deleteOptions. Disruption budgets are not modelled yet, so an eviction is never refused.
import { Inject, Injectable } from '@nestjs/common';
import type { Store } from '@flotilla/store';
import { STORE } from '../../tokens';
import { decodeBody, isPlainObject } from '../body';
import { parseDeleteOptions } from '../delete-options';
import { header, json, Reply, ResourceRequest } from '../request';
import { ApiError, badRequest, status } from '../status';
import type { SubresourceHandler } from './registry';

@Injectable()
export class EvictionSubresource implements SubresourceHandler {
  readonly subresources = ['eviction'];

  constructor(@Inject(STORE) private readonly store: Store) {}

  async serve(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'only POST is supported on pods/eviction');
    const body = decodeBody(req.body, header(req, 'content-type'));
    if (body !== undefined && !isPlainObject(body)) throw badRequest('the body must be an Eviction object');
    // The options are the Eviction's own; of the query only dryRun applies, as for any create.
    const opts = parseDeleteOptions(isPlainObject(body) ? body.deleteOptions : undefined, { dryRun: req.query.dryRun }, 'deleteOptions.');
    await this.store.delete(type, namespace, name, opts);
    return json(201, status(201, '', '', undefined));
  }
}
