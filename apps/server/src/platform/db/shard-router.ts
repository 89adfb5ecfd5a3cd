import { logicalShardOf, LOGICAL_SHARDS } from './ids';
import { logicalShardForKey, type ShardMap } from './shard-map';
import type { Shard, ShardPool } from './shard-pool';

/**
 * Finds the shard that holds a row: from an ID (its logical shard is inside
 * it), from a logical shard, or from a looked-up value placed by hash.
 */
export class ShardRouter {
  private current: ShardMap;

  constructor(
    private readonly pool: ShardPool,
    map: ShardMap,
  ) {
    this.current = map;
  }

  /** The shard map this process routes by; replaced when a move flips it (ADR 0024). */
  get map(): ShardMap {
    return this.current;
  }

  /** Routes by `map` from now on, unless it is older than the one in use; true when it was taken. */
  follow(map: ShardMap): boolean {
    if (map.version <= this.current.version) {
      return false;
    }
    this.current = map;
    return true;
  }

  get shards(): readonly Shard[] {
    return this.pool.shards;
  }

  forLogical(logicalShard: number): Shard {
    const shard = this.pool.shards[this.current.physicalFor(logicalShard)];
    if (shard === undefined) {
      throw new Error(`no physical shard for logical shard ${logicalShard}`);
    }
    return shard;
  }

  forId(id: string): Shard {
    return this.forLogical(logicalShardOf(id));
  }

  /** The IDs by the shard that holds each, in their order: one statement per shard instead of one per ID. */
  groupById(ids: readonly string[]): Map<Shard, string[]> {
    return groupByShard(this, ids, (id) => id);
  }

  /** Logical shard for a looked-up value such as an email. */
  logicalForKey(key: string): number {
    return logicalShardForKey(key);
  }

  forKey(key: string): Shard {
    return this.forLogical(logicalShardForKey(key));
  }

  /** A uniformly random logical shard, for rows with no natural owner. */
  randomLogical(): number {
    return Math.floor(Math.random() * LOGICAL_SHARDS);
  }
}

/**
 * Items by the shard that holds each one's ID (`idOf`), in their order: one
 * statement per shard instead of one per item.
 */
export function groupByShard<T>(
  router: Pick<ShardRouter, 'forId'>,
  items: readonly T[],
  idOf: (item: T) => string,
): Map<Shard, T[]> {
  const groups = new Map<Shard, T[]>();
  for (const item of items) {
    const shard = router.forId(idOf(item));
    const group = groups.get(shard);
    if (group === undefined) {
      groups.set(shard, [item]);
    } else {
      group.push(item);
    }
  }
  return groups;
}
