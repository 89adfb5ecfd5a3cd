import type { RateRule } from '../../config/config';
import { errors } from '../../lib/errors';
import type { Cache } from '../cache/cache.port';

/**
 * Fixed-window counters on the shared cache, so a limit holds across every
 * instance in cluster mode. Disabled as a whole by `RATE_LIMITS=off`.
 */
export class RateLimiter {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
  ) {}

  /** Counts one hit against `bucket`; throws 429 rate_limited with Retry-After beyond the rule. */
  async consume(bucket: string, rule: RateRule): Promise<void> {
    if (!this.enabled) {
      return;
    }
    const { value, ttlMs } = await this.cache.increment(`rl:${bucket}`, rule.windowSeconds);
    if (value > rule.limit) {
      throw errors.rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)));
    }
  }
}
