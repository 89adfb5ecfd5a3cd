import { LOGICAL_SHARDS } from '../ids';
import type { ShardMap } from '../shard-map';

/** One move of a plan: logical shards [from, to) from physical shard `source` to `target`. */
export interface PlannedMove {
  from: number;
  to: number;
  source: number;
  target: number;
}

/** How many logical shards each physical shard should own when spread evenly. */
export function evenQuotas(physicalCount: number): number[] {
  return Array.from(
    { length: physicalCount },
    (_, shard) =>
      Math.floor(((shard + 1) * LOGICAL_SHARDS) / physicalCount) -
      Math.floor((shard * LOGICAL_SHARDS) / physicalCount),
  );
}

/**
 * The moves that spread logical shards evenly over every physical shard while
 * moving as few as possible: each shard over its quota keeps the start of its
 * ranges and gives the rest, in order, to the shards under theirs.
 */
export function planRebalance(map: ShardMap): PlannedMove[] {
  const quotas = evenQuotas(map.physicalCount);
  const surplus: PlannedMove[] = [];
  for (let shard = 0; shard < map.physicalCount; shard += 1) {
    let keep = quotas[shard] ?? 0;
    for (const range of map.rangesOf(shard)) {
      const kept = Math.min(keep, range.to - range.from);
      keep -= kept;
      if (range.from + kept < range.to) {
        surplus.push({ from: range.from + kept, to: range.to, source: shard, target: -1 });
      }
    }
  }
  const counts = map.counts();
  const moves: PlannedMove[] = [];
  let target = 0;
  for (const span of surplus) {
    let from = span.from;
    while (from < span.to) {
      while (target < map.physicalCount && (counts[target] ?? 0) >= (quotas[target] ?? 0)) {
        target += 1;
      }
      if (target >= map.physicalCount) {
        throw new Error('the shard map gives more logical shards than the quotas hold');
      }
      const take = Math.min(span.to - from, (quotas[target] ?? 0) - (counts[target] ?? 0));
      moves.push({ from, to: from + take, source: span.source, target });
      counts[target] = (counts[target] ?? 0) + take;
      from += take;
    }
  }
  return moves;
}
