import { describe, expect, it } from 'vitest';
import { LOGICAL_SHARDS } from './ids';
import { ShardMap, logicalShardForKey } from './shard-map';

describe('shard map', () => {
  it('splits the logical shards into contiguous even ranges', () => {
    const map = ShardMap.even(4);
    expect(map.ranges).toEqual([
      { from: 0, to: 1024, shard: 0 },
      { from: 1024, to: 2048, shard: 1 },
      { from: 2048, to: 3072, shard: 2 },
      { from: 3072, to: 4096, shard: 3 },
    ]);
    expect(map.physicalFor(0)).toBe(0);
    expect(map.physicalFor(1023)).toBe(0);
    expect(map.physicalFor(1024)).toBe(1);
    expect(map.physicalFor(4095)).toBe(3);
  });

  it('accepts uneven ranges, as after moving a range to a new shard', () => {
    const map = new ShardMap(
      [
        { from: 0, to: 1000, shard: 0 },
        { from: 1000, to: 1024, shard: 2 },
        { from: 1024, to: LOGICAL_SHARDS, shard: 1 },
      ],
      3,
    );
    expect(map.physicalFor(999)).toBe(0);
    expect(map.physicalFor(1010)).toBe(2);
    expect(map.physicalFor(3000)).toBe(1);
  });

  it('refuses gaps, overlaps, partial coverage and unknown physical shards', () => {
    expect(() => new ShardMap([{ from: 0, to: 100, shard: 0 }], 1)).toThrow(/covers 100/);
    expect(
      () =>
        new ShardMap(
          [
            { from: 0, to: 100, shard: 0 },
            { from: 90, to: LOGICAL_SHARDS, shard: 0 },
          ],
          1,
        ),
    ).toThrow(/gap or overlap/);
    expect(() => new ShardMap([{ from: 0, to: LOGICAL_SHARDS, shard: 1 }], 1)).toThrow(/physical shard 1/);
  });

  it('spreads 10,000 new users over 4 physical shards within 10% of even', () => {
    const map = ShardMap.even(4);
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 10_000; index += 1) {
      // The same placement signup uses: the logical shard of the email's key.
      const shard = map.physicalFor(logicalShardForKey(`email:user${index}@example.com`));
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) {
      expect(Math.abs(count - 2500) / 2500).toBeLessThan(0.1);
    }
  });

  it('places a key where it always has: existing rows depend on it', () => {
    // The first two bytes of SHA-256 of the key, modulo the logical shards. Changing
    // the function would strand every email and plate already in the directory.
    expect(logicalShardForKey('email:a@b.c')).toBe(15876 % LOGICAL_SHARDS);
    expect(logicalShardForKey('plate:KA01AB1234')).toBe(Number.parseInt('3a55', 16) % LOGICAL_SHARDS);
  });
});
