import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

function takes(bucket: TokenBucket, now: number, count: number): (number | null)[] {
  return Array.from({ length: count }, () => bucket.take(now));
}

describe('TokenBucket', () => {
  it('allows a burst of the limit, then answers how many seconds until the next token', () => {
    const bucket = new TokenBucket({ limit: 5, windowSeconds: 10 }, 1_000);
    expect(takes(bucket, 1_000, 7)).toEqual([null, null, null, null, null, 2, 2]);
  });

  it('refills at limit per window, never above the limit', () => {
    const bucket = new TokenBucket({ limit: 4, windowSeconds: 2 }, 0);
    expect(takes(bucket, 0, 4)).toEqual([null, null, null, null]);
    // 2 tokens a second: half a second later one is back.
    expect(takes(bucket, 500, 2)).toEqual([null, 1]);
    // An hour idle fills the bucket to its limit only.
    expect(takes(bucket, 3_600_000, 5)).toEqual([null, null, null, null, 1]);
  });

  it('a clock that steps back neither refills nor drains it', () => {
    const bucket = new TokenBucket({ limit: 2, windowSeconds: 1 }, 10_000);
    expect(bucket.take(10_000)).toBeNull();
    expect(bucket.take(5_000)).toBeNull();
    expect(bucket.take(5_000)).toBe(1);
    expect(bucket.take(10_500)).toBeNull();
  });
});
