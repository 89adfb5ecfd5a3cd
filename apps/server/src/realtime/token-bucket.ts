import type { RateRule } from '../config/config';

/**
 * A burst of `rule.limit` takes, refilled continuously at `rule.limit` per
 * `rule.windowSeconds`. In memory: it limits one connection, which lives in
 * one process, so no shared store is needed.
 */
export class TokenBucket {
  private tokens: number;
  private readonly perMs: number;

  constructor(
    private readonly rule: RateRule,
    private updatedAt: number,
  ) {
    this.tokens = rule.limit;
    this.perMs = rule.limit / (rule.windowSeconds * 1000);
  }

  /** Takes one token at `now` (epoch ms); null when taken, else whole seconds until one is there. */
  take(now: number): number | null {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.rule.limit, this.tokens + elapsed * this.perMs);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perMs / 1000));
  }
}
