import { describe, expect, it } from 'vitest';
import {
  bookingRefOf,
  decodeBookingRef,
  encodeBookingRef,
  fallbackBookingRef,
  idOfFallbackRef,
  liveRefRandomBits,
  normalizeBookingRef,
} from './booking-ref';

const FORMAT = /^LL-[0-9A-HJKMNP-TV-Z]{7}$/;

describe('booking references', () => {
  it('a live code is LL- and seven base32 characters holding its shard and 22 random bits', () => {
    expect(liveRefRandomBits(7)).toBe(22);
    const ref = encodeBookingRef({ kind: 'live', logicalShard: 386, random: 123_456n });
    expect(ref).toMatch(FORMAT);
    expect(decodeBookingRef(ref)).toEqual({ kind: 'live', logicalShard: 386, random: 123_456n });
  });

  it('decodes every code it encodes, at every length, live and generated', () => {
    for (let length = 7; length <= 12; length += 1) {
      const randomBits = liveRefRandomBits(length);
      for (const [shard, random] of [
        [0, 0n],
        [4095, (1n << BigInt(randomBits)) - 1n],
        [1234, 987_654n],
      ] as const) {
        const ref = encodeBookingRef({ kind: 'live', logicalShard: shard, random }, length);
        expect(ref).toHaveLength(3 + length);
        expect(decodeBookingRef(ref)).toEqual({ kind: 'live', logicalShard: shard, random });
      }
      for (const index of [0n, 1n, (1n << BigInt(length * 5 - 1)) - 1n]) {
        const ref = encodeBookingRef({ kind: 'generated', index }, length);
        expect(decodeBookingRef(ref)).toEqual({ kind: 'generated', index });
      }
    }
  });

  it('the same random bits on two shards, or a live and a generated value, never give one code', () => {
    const seen = new Set<string>();
    for (let shard = 0; shard < 4096; shard += 1) {
      seen.add(encodeBookingRef({ kind: 'live', logicalShard: shard, random: 42n }));
    }
    for (let index = 0n; index < 4096n; index += 1n) {
      seen.add(encodeBookingRef({ kind: 'generated', index }));
    }
    expect(seen.size).toBe(8192);
  });

  it('neighbouring values look unrelated: consecutive generation indexes share few leading characters', () => {
    const refs = Array.from({ length: 32 }, (_, index) =>
      encodeBookingRef({ kind: 'generated', index: BigInt(index) }),
    );
    const firstChars = new Set(refs.map((ref) => ref.slice(3, 5)));
    expect(firstChars.size).toBeGreaterThan(20);
  });

  it('refuses values a code of that length cannot hold', () => {
    expect(() => encodeBookingRef({ kind: 'live', logicalShard: 4096, random: 0n })).toThrow(RangeError);
    expect(() => encodeBookingRef({ kind: 'live', logicalShard: 1, random: 1n << 22n })).toThrow(RangeError);
    expect(() => encodeBookingRef({ kind: 'generated', index: 1n << 34n })).toThrow(RangeError);
    expect(() => encodeBookingRef({ kind: 'generated', index: 1n }, 6)).toThrow(RangeError);
    expect(() => encodeBookingRef({ kind: 'generated', index: 1n }, 13)).toThrow(RangeError);
  });

  it('reads nothing from text that is not a minted code', () => {
    expect(decodeBookingRef('LL-7K2Q9M')).toBeNull();
    expect(decodeBookingRef('XX-7K2Q9MX')).toBeNull();
    expect(decodeBookingRef('LL-7K2Q9MU')).toBeNull();
    expect(decodeBookingRef(fallbackBookingRef('386581341617207296'))).toBeNull();
  });

  it('older bookings show their whole ID in 13 characters, a length no minted code has', () => {
    expect(fallbackBookingRef('1')).toBe('LL-0000000000001');
    expect(fallbackBookingRef('9223372036854775807')).toBe('LL-7ZZZZZZZZZZZZ');
    expect(fallbackBookingRef('386581341617207296')).not.toBe(fallbackBookingRef('386581341617207297'));
    expect(() => fallbackBookingRef('12a')).toThrow(RangeError);
    expect(bookingRefOf({ id: '32' })).toBe('LL-0000000000010');
    expect(bookingRefOf({ id: '32', ref: 'LL-7K2Q9MX' })).toBe('LL-7K2Q9MX');
    expect(idOfFallbackRef(fallbackBookingRef('386581341617207296'))).toBe('386581341617207296');
    expect(idOfFallbackRef('LL-0000000000000')).toBeNull();
    expect(idOfFallbackRef('LL-ZZZZZZZZZZZZZ')).toBeNull();
    expect(idOfFallbackRef('LL-7K2Q9MX')).toBeNull();
  });

  it('reads a code as people type it', () => {
    expect(normalizeBookingRef('ll-7k2q9mx')).toBe('LL-7K2Q9MX');
    expect(normalizeBookingRef(' 7K2Q 9MX ')).toBe('LL-7K2Q9MX');
    expect(normalizeBookingRef('LL-7K2QOMI')).toBe('LL-7K2Q0M1');
    expect(normalizeBookingRef('LL-7K2Q9')).toBeNull();
    expect(normalizeBookingRef('LL-7K2Q9M!')).toBeNull();
    expect(normalizeBookingRef('LL-7K2Q9MU')).toBeNull();
  });
});
