// Login attempts per account and per client address, counted in Redis (shared by every API
// replica) with an in-memory fallback when Redis is away. Failed attempts count; a success clears
// the account's counter. Over the limit, unknown users and wrong passwords get the same 429.
import type { Redis } from 'ioredis';

export class LoginLimiter {
  private readonly local = new Map<string, { n: number; until: number }>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  private keys(username: string, ip: string): [string, number][] {
    return [
      [`flotilla:login:user:${username}`, this.max],
      [`flotilla:login:ip:${ip}`, Math.max(this.max * 10, 50)],
    ];
  }

  /** Seconds to wait before another attempt, or 0. */
  async blocked(username: string, ip: string): Promise<number> {
    for (const [key, max] of this.keys(username, ip)) {
      const { n, ttl } = await this.read(key);
      if (n >= max) return Math.max(1, ttl);
    }
    return 0;
  }

  async failed(username: string, ip: string): Promise<void> {
    for (const [key] of this.keys(username, ip)) await this.incr(key);
  }

  async succeeded(username: string): Promise<void> {
    const key = `flotilla:login:user:${username}`;
    this.local.delete(key);
    await this.redis?.del(key).catch(() => undefined);
  }

  private async read(key: string): Promise<{ n: number; ttl: number }> {
    if (this.redis?.status === 'ready') {
      try {
        const [n, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
        return { n: Number(n ?? 0), ttl: ttl > 0 ? ttl : this.windowSeconds };
      } catch {
        /* fall back to memory */
      }
    }
    const e = this.local.get(key);
    if (!e || e.until <= Date.now()) return { n: 0, ttl: 0 };
    return { n: e.n, ttl: Math.ceil((e.until - Date.now()) / 1000) };
  }

  private async incr(key: string): Promise<void> {
    if (this.redis?.status === 'ready') {
      try {
        const n = await this.redis.incr(key);
        if (n === 1) await this.redis.expire(key, this.windowSeconds);
        return;
      } catch {
        /* fall back to memory */
      }
    }
    const e = this.local.get(key);
    if (!e || e.until <= Date.now()) this.local.set(key, { n: 1, until: Date.now() + this.windowSeconds * 1000 });
    else e.n++;
  }
}
