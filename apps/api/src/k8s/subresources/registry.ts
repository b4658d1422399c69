// Subresources (`pods/{name}/log`, `deployments/{name}/scale`…) are served by handlers registered by
// name: ResourceService looks a request's subresource up here and never names one itself. A new
// subresource is one handler file and its line in ./index.ts.
import { Inject, Injectable } from '@nestjs/common';
import type { Outcome, ResourceRequest } from '../request';

export interface SubresourceHandler {
  /** The path segments it serves; one handler may serve several that share their checks (exec, portforward). */
  readonly subresources: readonly string[];
  serve(req: ResourceRequest): Promise<Outcome>;
}

export const SUBRESOURCE_HANDLERS = Symbol('SUBRESOURCE_HANDLERS');

@Injectable()
export class SubresourceRegistry {
  private readonly byName = new Map<string, SubresourceHandler>();

  constructor(@Inject(SUBRESOURCE_HANDLERS) handlers: readonly SubresourceHandler[]) {
    for (const h of handlers) {
      for (const name of h.subresources) {
        const taken = this.byName.get(name);
        // Two handlers for one name would make which one serves depend on registration order.
        if (taken) throw new Error(`subresource "${name}" is registered twice (${taken.constructor.name} and ${h.constructor.name})`);
        this.byName.set(name, h);
      }
    }
  }

  find(subresource: string): SubresourceHandler | undefined {
    return this.byName.get(subresource);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
