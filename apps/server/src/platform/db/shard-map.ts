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
    /** Bumped by every move's flip; processes follow the highest they have seen. */
    readonly version = 1,
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

  /** The contiguous ranges physical shard `shard` owns, in order. */
  rangesOf(shard: number): ShardRange[] {
    return this.ranges.filter((range) => range.shard === shard).sort((a, b) => a.from - b.from);
  }

  /** How many logical shards each physical shard owns. */
  counts(): number[] {
    const counts = new Array<number>(this.physicalCount).fill(0);
    for (const range of this.ranges) {
      counts[range.shard] = (counts[range.shard] ?? 0) + range.to - range.from;
    }
    return counts;
  }

  /**
   * The map after logical shards [from, to) move to `shard`: neighbouring
   * ranges of one physical shard are merged, and the version is bumped.
   */
  withMove(from: number, to: number, shard: number): ShardMap {
    const owners = Array.from(this.table);
    owners.fill(shard, from, to);
    const ranges: ShardRange[] = [];
    let start = 0;
    for (let logical = 1; logical <= LOGICAL_SHARDS; logical += 1) {
      if (logical === LOGICAL_SHARDS || owners[logical] !== owners[start]) {
        ranges.push({ from: start, to: logical, shard: owners[start] ?? 0 });
        start = logical;
      }
    }
    return new ShardMap(ranges, this.physicalCount, this.version + 1);
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
  // The digest's first two bytes, big-endian: hex output costs half as much as a Buffer (generation hashes every email).
  const digest = hash('sha256', key, 'hex');
  return Number.parseInt(digest.slice(0, 4), 16) % LOGICAL_SHARDS;
}
