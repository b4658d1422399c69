// A leader lock in Redis for the loops that must run once per cluster (scheduler, node lifecycle): SET NX with
// a TTL, renewed while held. A flushed Redis only means the lock is taken again on the next renewal.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export class LeaderLock {
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  readonly id = `${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.held;
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.ttlMs / 3)));
  }

  private async tick(): Promise<void> {
    try {
      if (this.held) {
        const ok = Number(await this.redis.eval(RENEW, 1, this.key, this.id, String(this.ttlMs)));
        if (ok === 1) return;
        this.held = false;
      }
      const got = await this.redis.set(this.key, this.id, 'PX', this.ttlMs, 'NX');
      if (got === 'OK') {
        this.held = true;
        this.log.info('became leader', { lock: this.key });
      }
    } catch (err) {
      this.held = false;
      this.log.warn('leader lock check failed', { lock: this.key, error: errorText(err) });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.held)
      await this.redis
        .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`, 1, this.key, this.id)
        .catch(() => undefined);
    this.held = false;
  }
}
