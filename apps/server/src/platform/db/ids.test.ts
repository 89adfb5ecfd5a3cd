import { describe, expect, it } from 'vitest';
import { ID_EPOCH_MS, IdGenerator, LOGICAL_SHARDS, decodeId, encodeId, isId, logicalShardOf } from './ids';
import { AppError, errors } from '../../lib/errors';
import { ShardMap } from './shard-map';

describe('ids', () => {
  it('encodes time, logical shard, node and sequence and decodes them back', () => {
    const parts = {
      timestampMs: Date.UTC(2026, 10, 23, 12, 0, 0, 123),
      logicalShard: 4095,
      node: 31,
      sequence: 17,
    };
    const id = encodeId(parts);
    expect(decodeId(id)).toEqual(parts);
    expect(isId(id)).toBe(true);
  });

  it('every logical shard survives the round trip and routes to the physical shard owning its range', () => {
    const generator = new IdGenerator(3, () => Date.UTC(2026, 0, 1));
    const map = ShardMap.even(4);
    for (let logical = 0; logical < LOGICAL_SHARDS; logical += 1) {
      const id = generator.next(logical);
      expect(logicalShardOf(id)).toBe(logical);
      expect(map.physicalFor(logicalShardOf(id))).toBe(Math.floor(logical / 1024));
    }
  });

  it('ids of one generator are unique and increase with time', () => {
    let now = ID_EPOCH_MS + 1_000_000;
    const generator = new IdGenerator(0, () => now);
    const seen = new Set<string>();
    let previous = 0n;
    for (let index = 0; index < 20_000; index += 1) {
      if (index % 1000 === 0) {
        now += 1;
      }
      const id = generator.next(7);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      expect(BigInt(id) > previous).toBe(true);
      previous = BigInt(id);
    }
  });

  it('a spent sequence borrows the next millisecond instead of repeating an id', () => {
    const generator = new IdGenerator(0, () => ID_EPOCH_MS + 5000);
    const ids = Array.from({ length: 40 }, () => generator.next(1));
    expect(new Set(ids).size).toBe(40);
    expect(decodeId(ids[31] ?? '').timestampMs).toBe(ID_EPOCH_MS + 5000);
    expect(decodeId(ids[32] ?? '').timestampMs).toBe(ID_EPOCH_MS + 5001);
    expect(decodeId(ids[32] ?? '').sequence).toBe(0);
  });

  it('two nodes never make the same id in the same millisecond and shard', () => {
    const clock = () => ID_EPOCH_MS + 42;
    const a = new IdGenerator(1, clock);
    const b = new IdGenerator(2, clock);
    const fromA = new Set(Array.from({ length: 32 }, () => a.next(9)));
    const fromB = Array.from({ length: 32 }, () => b.next(9));
    expect(fromB.some((id) => fromA.has(id))).toBe(false);
  });

  it('mints with the node its lease gives at each call, and mints nothing while the lease refuses', () => {
    const lease: { node: number | null } = { node: 4 };
    const generator = new IdGenerator(
      {
        current: () => {
          if (lease.node === null) {
            throw errors.unavailable('id_node');
          }
          return lease.node;
        },
      },
      () => Date.UTC(2026, 0, 1),
    );
    expect(decodeId(generator.next(7)).node).toBe(4);
    lease.node = null;
    expect(() => generator.next(7)).toThrow(AppError);
    lease.node = 9;
    expect(decodeId(generator.next(7))).toMatchObject({ node: 9, logicalShard: 7 });
  });

  it('rejects what is not an id', () => {
    expect(isId('0')).toBe(false);
    expect(isId('01')).toBe(false);
    expect(isId('12a')).toBe(false);
    expect(isId('9223372036854775808')).toBe(false);
    expect(isId('9223372036854775807')).toBe(true);
    expect(() => decodeId('abc')).toThrow(RangeError);
  });

  it('rejects node numbers and logical shards out of range', () => {
    expect(() => new IdGenerator(32)).toThrow(RangeError);
    expect(() => new IdGenerator(0).next(LOGICAL_SHARDS)).toThrow(RangeError);
  });
});
