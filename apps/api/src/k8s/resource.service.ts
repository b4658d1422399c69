// The Kubernetes resource verbs (get, list, watch, create, update, patch, delete, deletecollection) and
// subresources. Requests arrive authenticated, authorised and parsed into a RequestInfo; this only
// picks who serves them: a subresource's handler from the registry, else the verb's handler.
import { Injectable, type Provider } from '@nestjs/common';
import type { RequestVerb } from './request-info';
import type { Handle, Outcome, ResourceRequest } from './request';
import { ApiError } from './status';
import { subresourceProviders, SubresourceRegistry } from './subresources';
import { DeleteVerbs } from './verbs/delete';
import { ReadVerbs } from './verbs/read';
import { WriteVerbs } from './verbs/write';

@Injectable()
export class ResourceService {
  private readonly verbs: Record<RequestVerb, Handle>;

  constructor(
    private readonly subresources: SubresourceRegistry,
    reads: ReadVerbs,
    writes: WriteVerbs,
    deletes: DeleteVerbs,
  ) {
    this.verbs = {
      get: (req) => reads.get(req),
      list: (req) => reads.list(req),
      watch: (req) => reads.watch(req),
      create: (req) => writes.create(req),
      update: (req) => writes.update(req),
      patch: (req) => writes.patch(req),
      delete: (req) => deletes.delete(req),
      deletecollection: (req) => deletes.deleteCollection(req),
    };
  }

  handle(req: ResourceRequest): Promise<Outcome> {
    const { subresource, verb } = req.info;
    if (!subresource) return this.verbs[verb](req);
    const handler = this.subresources.find(subresource);
    if (!handler) {
      // The path parser admits every subresource a kind declares; those without a handler yet (attach, token) end here.
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (${subresource} is served by the node agent and is not available yet)`,
      );
    }
    return handler.serve(req);
  }
}

/** What AppModule registers for resource requests: the service, its verb handlers and every subresource handler. */
export const resourceProviders: Provider[] = [ResourceService, ReadVerbs, WriteVerbs, DeleteVerbs, ...subresourceProviders];
