// Liveness, readiness (Postgres and Redis reachable) and Prometheus metrics.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { Store } from '@flotilla/store';
import { REDIS, STORE } from '../tokens';
import { ComponentsService } from './components.service';
import { Metrics } from './metrics';

// Where it was first declared; other modules import it from here.
export { REDIS };

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: Metrics,
    private readonly components: ComponentsService,
  ) {}

  @Get(['healthz', 'livez'])
  @ApiOkResponse({ description: 'The process is alive.' })
  live(): string {
    return 'ok';
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'Postgres and Redis are reachable.' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which.' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const checks = await Promise.all([
      this.store.currentRv().then(
        () => '[+]postgres ok',
        (e: Error) => `[-]postgres failed: ${e.message}`,
      ),
      withTimeout(this.redis.ping(), 1000).then(
        () => '[+]redis ok',
        (e: Error) => `[-]redis failed: ${e.message}`,
      ),
    ]);
    const ok = checks.every((c) => c.startsWith('[+]'));
    reply
      .code(ok ? 200 : 503)
      .type('text/plain')
      .send(`${checks.join('\n')}\nreadyz check ${ok ? 'passed' : 'failed'}\n`);
  }

  @Get('metrics')
  @ApiOkResponse({ description: 'Prometheus text format.' })
  async prometheus(@Res() reply: FastifyReply): Promise<void> {
    this.metrics.cacheRv.set(this.store.cache.rv);
    this.metrics.watchers.set(this.store.cache.watcherCount());
    this.metrics.setComponents((await this.components.list()).items);
    reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
