// Which control-plane processes run where, since when and how often they restarted: Redis holds what the API
// and the controller recorded at start, each Node's annotation what its agent recorded (agents only talk to
// the API). Read by the admin components endpoint and by /metrics.
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { COMPONENT_ANNOTATION, componentsKey, listRecordedComponents, parseComponentRecord, type ComponentRecord } from '@flotilla/queue';
import type { Store } from '@flotilla/store';
import type { Config } from '../config';
import { CONFIG, REDIS, STORE } from '../tokens';

@Injectable()
export class ComponentsService {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Every known component; `redisError` is set (and the Redis-held ones missing) when Redis does not answer. */
  async list(): Promise<{ items: ComponentRecord[]; redisError?: string }> {
    const agents = this.store.cache
      .list('core/nodes')
      .map((e) => parseComponentRecord(e.obj.metadata.annotations?.[COMPONENT_ANNOTATION]))
      .filter((r): r is ComponentRecord => r !== undefined);
    try {
      return { items: [...(await listRecordedComponents(this.redis, componentsKey(this.config.databaseUrl))), ...agents] };
    } catch (err) {
      return { items: agents, redisError: (err as Error).message };
    }
  }
}
