import { describe, expect, it } from 'vitest';
import type { LoginLimits } from '../../config/config';
import { ManualClock } from '../../lib/clock';
import { isAppError } from '../../lib/errors';
import { MemoryCache } from '../cache/memory-cache';
import { LoginThrottle } from './login-throttle';

const RULES: LoginLimits = {
  failuresBeforeLock: 3,
  lockSeconds: 10,
  maxLockSeconds: 60,
  memorySeconds: 3600,
  perEmail: { limit: 100, windowSeconds: 3600 },
};

function setup(enabled = true): { throttle: LoginThrottle; clock: ManualClock } {
  const clock = new ManualClock();
  return {
    throttle: new LoginThrottle({ cache: new MemoryCache({ clock }), clock, rules: RULES, enabled }),
    clock,
  };
}

async function refusal(
  promise: Promise<unknown>,
): Promise<{ status: number; retryAfter: string | undefined }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) {
    throw new Error('expected an AppError');
  }
  return { status: error.status, retryAfter: error.headers?.['retry-after'] };
}

const wrong = (): Promise<null> => Promise.resolve(null);
const right = (): Promise<string> => Promise.resolve('user-1');

describe('login throttle', () => {
  it('a second attempt for one email from one address while the first is checked is 429, Retry-After 1', async () => {
    const { throttle } = setup();
    let finish: (value: string | null) => void = () => undefined;
    const first = throttle.attempt(
      'a@example.com',
      '192.0.2.1',
      () =>
        new Promise<string | null>((resolve) => {
          finish = resolve;
        }),
    );
    expect(await refusal(throttle.attempt('a@example.com', '192.0.2.1', right))).toEqual({
      status: 429,
      retryAfter: '1',
    });
    // Other addresses and other emails are not held up.
    expect(await throttle.attempt('a@example.com', '192.0.2.2', right)).toBe('user-1');
    expect(await throttle.attempt('b@example.com', '192.0.2.1', right)).toBe('user-1');
    finish(null);
    expect(await first).toBeNull();
    expect(await throttle.attempt('a@example.com', '192.0.2.1', right)).toBe('user-1');
  });

  it('a check that throws counts as no failure and frees the address for the next attempt', async () => {
    const { throttle } = setup();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(
        throttle.attempt('a@example.com', '192.0.2.1', () => Promise.reject(new Error('database down'))),
      ).rejects.toThrow('database down');
    }
    expect(await throttle.attempt('a@example.com', '192.0.2.1', wrong)).toBeNull();
  });

  it('the lock lasts exactly its time: refused one millisecond before, checked at the end', async () => {
    const { throttle, clock } = setup();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await throttle.attempt('a@example.com', '192.0.2.1', wrong)).toBeNull();
    }
    clock.advance(9_999);
    expect(await refusal(throttle.attempt('a@example.com', '192.0.2.1', right))).toEqual({
      status: 429,
      retryAfter: '1',
    });
    clock.advance(1);
    expect(await throttle.attempt('a@example.com', '192.0.2.1', right)).toBe('user-1');
  });

  it('counts nothing when rate limits are off', async () => {
    const { throttle } = setup(false);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(await throttle.attempt('a@example.com', '192.0.2.1', wrong)).toBeNull();
    }
    expect(await throttle.attempt('a@example.com', '192.0.2.1', right)).toBe('user-1');
  });
});
