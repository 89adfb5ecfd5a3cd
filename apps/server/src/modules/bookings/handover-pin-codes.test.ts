import { describe, expect, it } from 'vitest';
import { hashPin, newPin, pinMatches } from './handover-pin-codes';

describe('handover PIN codes', () => {
  it('makes 4-digit PINs, leading zeros kept, spread over every digit', () => {
    const pins = Array.from({ length: 2_000 }, () => newPin());
    expect(pins.every((pin) => /^[0-9]{4}$/.test(pin))).toBe(true);
    expect(new Set(pins.map((pin) => pin[0])).size).toBe(10);
    expect(new Set(pins).size).toBeGreaterThan(1_500);
  });

  it('stores a PIN salted and hashed: never the PIN itself, a different hash each time', () => {
    const first = hashPin('0042');
    const second = hashPin('0042');
    expect(first).not.toContain('0042');
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);
  });

  it('matches the PIN it was made from and nothing else', () => {
    const stored = hashPin('7305');
    expect(pinMatches(stored, '7305')).toBe(true);
    expect(pinMatches(stored, '7306')).toBe(false);
    expect(pinMatches(stored, '')).toBe(false);
    expect(pinMatches('not-a-hash', '7305')).toBe(false);
  });
});
