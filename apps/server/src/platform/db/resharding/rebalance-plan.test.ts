import { describe, expect, it } from 'vitest';
import { ShardMap } from '../shard-map';
import { evenQuotas, planRebalance } from './rebalance-plan';

function apply(map: ShardMap, moves: ReturnType<typeof planRebalance>): ShardMap {
  return moves.reduce((current, move) => current.withMove(move.from, move.to, move.target), map);
}

describe('planRebalance', () => {
  it('spreads two shards over four by moving half of the logical shards, not three quarters', () => {
    const map = new ShardMap(ShardMap.even(2).ranges, 4);
    const moves = planRebalance(map);
    expect(moves).toEqual([
      { from: 1024, to: 2048, source: 0, target: 2 },
      { from: 3072, to: 4096, source: 1, target: 3 },
    ]);
    const after = apply(map, moves);
    expect(after.counts()).toEqual([1024, 1024, 1024, 1024]);
    expect(after.version).toBe(3);
  });

  it('plans nothing for a map that is already even', () => {
    expect(planRebalance(ShardMap.even(3))).toEqual([]);
  });

  it('splits one surplus range over several shards that joined empty', () => {
    const map = new ShardMap([{ from: 0, to: 4096, shard: 0 }], 3);
    const moves = planRebalance(map);
    expect(moves).toEqual([
      { from: 1365, to: 2730, source: 0, target: 1 },
      { from: 2730, to: 4096, source: 0, target: 2 },
    ]);
    expect(apply(map, moves).counts()).toEqual(evenQuotas(3));
  });
});

describe('ShardMap.withMove', () => {
  it('merges neighbouring ranges of one shard and bumps the version', () => {
    const map = new ShardMap(
      [
        { from: 0, to: 100, shard: 0 },
        { from: 100, to: 200, shard: 1 },
        { from: 200, to: 4096, shard: 0 },
      ],
      2,
      7,
    );
    const moved = map.withMove(100, 200, 0);
    expect(moved.ranges).toEqual([{ from: 0, to: 4096, shard: 0 }]);
    expect(moved.version).toBe(8);
    expect(moved.physicalFor(150)).toBe(0);
  });
});
