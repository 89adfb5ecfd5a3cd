import { hash } from 'node:crypto';
import { LOGICAL_SHARDS } from './ids';

/** Logical shards [from, to) live on physical shard `shard`. */
export interface ShardRange {
  from: number;
  to: number;
  shard: number;
}

/**
 * Maps logical shards to physical shards by contiguous ranges. The ranges are
 * data (table `shard_ranges` on shard 0): adding a physical shard moves ranges,
 * it never changes how an ID names its logical shard.
 */
export class ShardMap {
  private readonly table: Uint16Array;

  constructor(
    readonly ranges: readonly ShardRange[],
    readonly physicalCount: number,
  ) {
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    let expected = 0;
    for (const range of sorted) {
      if (range.from !== expected || range.to <= range.from) {
        throw new Error(`shard map has a gap or overlap at logical shard ${expected}`);
      }
      if (range.shard < 0 || range.shard >= physicalCount) {
        throw new Error(`shard map names physical shard ${range.shard}, but ${physicalCount} are configured`);
      }
      expected = range.to;
    }
    if (expected !== LOGICAL_SHARDS) {
      throw new Error(`shard map covers ${expected} of ${LOGICAL_SHARDS} logical shards`);
    }
    this.table = new Uint16Array(LOGICAL_SHARDS);
    for (const range of sorted) {
      this.table.fill(range.shard, range.from, range.to);
    }
  }

  /** Even contiguous ranges over `physicalCount` shards: the initial layout. */
  static even(physicalCount: number): ShardMap {
    const ranges: ShardRange[] = [];
    for (let shard = 0; shard < physicalCount; shard += 1) {
      ranges.push({
        from: Math.floor((shard * LOGICAL_SHARDS) / physicalCount),
        to: Math.floor(((shard + 1) * LOGICAL_SHARDS) / physicalCount),
        shard,
      });
    }
    return new ShardMap(ranges, physicalCount);
  }

  physicalFor(logicalShard: number): number {
    const shard = this.table[logicalShard];
    if (shard === undefined) {
      throw new RangeError(`logical shard out of range: ${logicalShard}`);
    }
    return shard;
  }
}

/** Places a looked-up value (an email, a plate) on a logical shard by hash. */
export function logicalShardForKey(key: string): number {
  const digest = hash('sha256', key, 'buffer');
  return digest.readUInt16BE(0) % LOGICAL_SHARDS;
}
