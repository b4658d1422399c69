// Per-user token buckets for mutations (in memory, per API process): a burst, then a steady rate;
// over it the request gets 429 with Retry-After. Cluster admins and nodes are not limited.
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }
}

export class MutationRateLimiter {
  private readonly buckets: TokenBuckets;
  constructor(rate: number, burst: number) {
    this.buckets = new TokenBuckets(rate, burst);
  }

  /** 0 = go ahead; otherwise Retry-After seconds. */
  check(user: { username: string; groups: string[] }): number {
    if (user.groups.includes('system:masters') || user.groups.includes('system:nodes')) return 0;
    return this.buckets.take(user.username);
  }
}
