import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { encodeId } from './ids';
import type { Database } from './schema';
import { ShardMap } from './shard-map';
import type { Shard, ShardPool } from './shard-pool';
import { ShardRouter, groupByShard } from './shard-router';

function pool(count: number): ShardPool {
  const shards: Shard[] = Array.from({ length: count }, (_, index) => ({
    index,
    label: `shard_${index}`,
    dialect: 'sqlite',
    db: {} as unknown as Kysely<Database>,
  }));
  return { shards, ping: () => Promise.resolve(), close: () => Promise.resolve() };
}

function idOn(logicalShard: number, sequence: number): string {
  return encodeId({ timestampMs: Date.UTC(2026, 0, 1), logicalShard, node: 1, sequence });
}

describe('shard router', () => {
  it('groups IDs by the shard that holds each, keeping their order, one entry per shard', () => {
    const router = new ShardRouter(pool(2), ShardMap.even(2));
    const [first, second] = router.shards;
    // Logical shards 0-2047 live on the first physical shard, 2048-4095 on the second.
    const ids = [idOn(3, 1), idOn(3000, 2), idOn(10, 3), idOn(4095, 4), idOn(2047, 5)];

    const groups = router.groupById(ids);

    expect([...groups.keys()]).toEqual([first, second]);
    expect(groups.get(first as Shard)).toEqual([ids[0], ids[2], ids[4]]);
    expect(groups.get(second as Shard)).toEqual([ids[1], ids[3]]);
    expect(router.groupById([]).size).toBe(0);
  });

  it('groups items by the shard of the ID each names', () => {
    const router = new ShardRouter(pool(2), ShardMap.even(2));
    const [first, second] = router.shards;
    const rows = [
      { driverId: idOn(4000, 1), n: 1 },
      { driverId: idOn(1, 2), n: 2 },
      { driverId: idOn(2048, 3), n: 3 },
    ];

    const groups = groupByShard(router, rows, (row) => row.driverId);

    expect([...groups.keys()]).toEqual([second, first]);
    expect(groups.get(second as Shard)?.map((row) => row.n)).toEqual([1, 3]);
    expect(groups.get(first as Shard)?.map((row) => row.n)).toEqual([2]);
  });
});
