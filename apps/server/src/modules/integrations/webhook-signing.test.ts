import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './webhook-sender';
import { signatureHeader } from './webhook-signing';

describe('webhook signing', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in hex', () => {
    const body = '{"id":"1","type":"booking.cancelled"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1767225600.${body}`).digest('hex');
    expect(signatureHeader('whsec_test', 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('backs off exponentially up to the cap, the upper half jittered', () => {
    const settings = { backoffBaseMs: 30_000, backoffMaxMs: 3_600_000 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(settings, attempt, 0))).toEqual([
      15_000, 30_000, 60_000, 120_000,
    ]);
    expect(retryDelayMs(settings, 3, 0.999_999)).toBe(120_000);
    expect(retryDelayMs(settings, 20, 0)).toBe(1_800_000);
    expect(retryDelayMs(settings, 20, 0.5)).toBe(2_700_000);
  });
});
