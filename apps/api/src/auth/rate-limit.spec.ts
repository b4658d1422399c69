import { TokenBuckets } from './rate-limit';

describe('token buckets', () => {
  it('allows a burst, then refills at the rate', () => {
    const b = new TokenBuckets(2, 3);
    const t = 1_000_000;
    expect([b.take('u', t), b.take('u', t), b.take('u', t)]).toEqual([0, 0, 0]);
    expect(b.take('u', t)).toBe(1);
    expect(b.take('u', t + 500)).toBe(0);
    expect(b.take('other', t)).toBe(0);
  });
});
