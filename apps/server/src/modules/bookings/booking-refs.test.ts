import { decodeBookingRef } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { generatedRef, randomRef, REF_ATTEMPTS, refLength } from './booking-refs';

describe('minting booking references', () => {
  it('mints seven characters first and one more after every three repeats', () => {
    expect([0, 1, 2, 3, 5, 6, 8].map(refLength)).toEqual([7, 7, 7, 8, 8, 9, 9]);
    expect(refLength(REF_ATTEMPTS - 1)).toBe(9);
    expect(randomRef(17, 0)).toMatch(/^LL-[0-9A-HJKMNP-TV-Z]{7}$/);
    expect(randomRef(17, 3)).toMatch(/^LL-[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it("a live code carries the booking's logical shard and differs from one mint to the next", () => {
    const refs = Array.from({ length: 200 }, () => randomRef(2049, 0));
    for (const ref of refs) {
      expect(decodeBookingRef(ref)).toMatchObject({ kind: 'live', logicalShard: 2049 });
    }
    expect(new Set(refs).size).toBeGreaterThan(195);
  });

  it('a generated code is the shortest that holds its index, and decodes to it', () => {
    expect(generatedRef(0)).toHaveLength(10);
    expect(decodeBookingRef(generatedRef(123_456_789))).toEqual({ kind: 'generated', index: 123_456_789n });
    expect(generatedRef(2 ** 34 - 1)).toHaveLength(10);
    expect(generatedRef(2 ** 34)).toHaveLength(11);
    expect(decodeBookingRef(generatedRef(2 ** 34))).toEqual({ kind: 'generated', index: 2n ** 34n });
    expect(new Set([0, 1, 2, 3].map(generatedRef)).size).toBe(4);
    expect(() => generatedRef(-1)).toThrow(RangeError);
    expect(() => generatedRef(1.5)).toThrow(RangeError);
  });
});
