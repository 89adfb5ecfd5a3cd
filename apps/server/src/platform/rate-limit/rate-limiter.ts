import type { RateRule } from '../../config/config';
import { errors, type AppError } from '../../lib/errors';
import type { Cache } from '../cache/cache.port';

/**
 * Fixed-window counters on the shared cache, so a limit holds across every
 * instance in cluster mode. Disabled as a whole by `RATE_LIMITS=off`.
 */
export class RateLimiter {
  constructor(
    private readonly cache: Cache,
    /** Off (`RATE_LIMITS=off`): callers that count in their own step (a location ping) skip it too. */
    readonly enabled: boolean,
  ) {}

  /** Counts one hit against `bucket`; throws 429 rate_limited with Retry-After beyond the rule. */
  async consume(bucket: string, rule: RateRule): Promise<void> {
    if (!this.enabled) {
      return;
    }
    const { value, ttlMs } = await this.cache.increment(`rl:${bucket}`, rule.windowSeconds);
    if (value > rule.limit) {
      throw rateLimitedFor(ttlMs);
    }
  }
}

/** The 429 for a window that ends in `ttlMs`: Retry-After in whole seconds, at least one. */
export function rateLimitedFor(ttlMs: number): AppError {
  return errors.rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)));
}
