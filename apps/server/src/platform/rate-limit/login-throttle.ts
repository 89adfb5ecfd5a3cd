import type { LoginLimits } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { Cache } from '../cache/cache.port';

export interface LoginThrottleDeps {
  cache: Cache;
  clock: Clock;
  rules: LoginLimits;
  /** False with `RATE_LIMITS=off`: nothing is counted. */
  enabled: boolean;
}

/** Failures of one (email, address) pair, and until when that pair is locked out (epoch ms, 0 = not). */
interface PairState {
  failures: number;
  lockedUntil: number;
}

/** Long enough for any password check; only a crashed process leaves a slot to expire. */
const SLOT_SECONDS = 15;

function parsePair(raw: string | null): PairState {
  if (raw === null) {
    return { failures: 0, lockedUntil: 0 };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { failures: 0, lockedUntil: 0 };
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'failures' in parsed &&
    'lockedUntil' in parsed &&
    typeof parsed.failures === 'number' &&
    typeof parsed.lockedUntil === 'number'
  ) {
    return { failures: parsed.failures, lockedUntil: parsed.lockedUntil };
  }
  return { failures: 0, lockedUntil: 0 };
}

/**
 * Failed-login limits that lock out the guesser, not the owner (docs/adr/0016):
 * failures are counted per (email, client address), and after
 * `failuresBeforeLock` of them that address alone is locked out of that email
 * for a time that doubles with each further failure; a success from the
 * address clears its count. A much looser cap on one email's failures from all
 * addresses together stops a spray from many addresses. One check at a time
 * per (email, address), so a burst cannot slip guesses past a lock that the
 * first failure of the burst is about to set. State lives in the shared cache
 * (every instance sees it); lock times are read from the clock.
 */
export class LoginThrottle {
  constructor(private readonly deps: LoginThrottleDeps) {}

  /**
   * Runs `check` (which returns the verified account, or null for a wrong
   * password) unless the pair or the email is locked out, and records its
   * outcome. Throws 429 rate_limited with Retry-After while locked out.
   */
  async attempt<T>(email: string, address: string, check: () => Promise<T | null>): Promise<T | null> {
    if (!this.deps.enabled) {
      return check();
    }
    const { cache, clock } = this.deps;
    // The address cannot contain '|', so the pair's key is unambiguous.
    const pair = `${address}|${email}`;
    const keys = {
      slot: `rl:login:slot:${pair}`,
      pair: `rl:login:pair:${pair}`,
      emailFailures: `rl:login:email:${email}`,
      emailLock: `rl:login:email-lock:${email}`,
    };
    if (!(await cache.setIfAbsent(keys.slot, '1', SLOT_SECONDS))) {
      throw errors.rateLimited(1);
    }
    try {
      const [pairRaw, emailLockRaw] = await cache.getMany([keys.pair, keys.emailLock]);
      const state = parsePair(pairRaw ?? null);
      const emailLockedUntil = emailLockRaw === null || emailLockRaw === undefined ? 0 : Number(emailLockRaw);
      const lockedUntil = Math.max(state.lockedUntil, emailLockedUntil);
      const now = clock.now();
      if (lockedUntil > now) {
        throw errors.rateLimited(Math.ceil((lockedUntil - now) / 1000));
      }
      const result = await check();
      if (result === null) {
        await this.recordFailure(keys, state.failures + 1);
      } else if (pairRaw !== null) {
        await cache.delete(keys.pair);
      }
      return result;
    } finally {
      await cache.delete(keys.slot);
    }
  }

  private async recordFailure(
    keys: { pair: string; emailFailures: string; emailLock: string },
    failures: number,
  ): Promise<void> {
    const { cache, clock, rules } = this.deps;
    const now = clock.now();
    const state: PairState = {
      failures,
      lockedUntil: failures >= rules.failuresBeforeLock ? now + this.lockMs(failures) : 0,
    };
    // Rewritten on every failure, so the memory runs from the last one.
    await cache.set(keys.pair, JSON.stringify(state), rules.memorySeconds);
    const { value, ttlMs } = await cache.increment(keys.emailFailures, rules.perEmail.windowSeconds);
    if (value >= rules.perEmail.limit) {
      await cache.set(keys.emailLock, String(now + ttlMs), Math.max(1, Math.ceil(ttlMs / 1000)));
    }
  }

  private lockMs(failures: number): number {
    const { lockSeconds, maxLockSeconds, failuresBeforeLock } = this.deps.rules;
    const doublings = Math.min(failures - failuresBeforeLock, 30);
    return Math.min(lockSeconds * 2 ** doublings, maxLockSeconds) * 1000;
  }
}
