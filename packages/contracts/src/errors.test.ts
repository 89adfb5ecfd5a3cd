import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './errors';

describe('error codes', () => {
  it('lists each code once, in snake_case', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
    }
  });

  it('recognises the contract codes and nothing else', () => {
    expect(isErrorCode('booking_taken')).toBe(true);
    expect(isErrorCode('rate_limited')).toBe(true);
    expect(isErrorCode('network_error')).toBe(false);
    expect(isErrorCode('BOOKING_TAKEN')).toBe(false);
    expect(isErrorCode('')).toBe(false);
  });
});
