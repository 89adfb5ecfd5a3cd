import { isId } from '@loadline/contracts';

/**
 * 64-bit, time-ordered IDs that carry their logical shard (see docs/adr/0001).
 *
 *   63        22 21            10 9      5 4        0
 *   [ ms since epoch ][ logical shard ][ node ][ sequence ]
 *        41 bits          12 bits       5 bits   5 bits
 *
 * The node number keeps IDs from two processes apart; the sequence keeps IDs
 * from one process apart within a millisecond. IDs travel as decimal strings.
 */
export const ID_EPOCH_MS = Date.UTC(2024, 0, 1);
export const LOGICAL_SHARDS = 4096;
export const MAX_NODES = 32;
/**
 * The node number bulk generation mints its deterministic IDs with; no process
 * leases it, so generated IDs never collide with live ones.
 */
export const GENERATED_ID_NODE = MAX_NODES - 1;

const SHARD_BITS = 12n;
const NODE_BITS = 5n;
const SEQUENCE_BITS = 5n;
const SEQUENCE_MAX = (1 << Number(SEQUENCE_BITS)) - 1;
const TIME_SHIFT = SHARD_BITS + NODE_BITS + SEQUENCE_BITS;
const SHARD_SHIFT = NODE_BITS + SEQUENCE_BITS;

export interface DecodedId {
  timestampMs: number;
  logicalShard: number;
  node: number;
  sequence: number;
}

// What an ID looks like is the contracts' `Id`: one definition for the API's schemas and the server.
export { isId };

export function decodeId(id: string): DecodedId {
  if (!isId(id)) {
    throw new RangeError(`not an id: ${id}`);
  }
  const value = BigInt(id);
  return {
    timestampMs: Number(value >> TIME_SHIFT) + ID_EPOCH_MS,
    logicalShard: Number((value >> SHARD_SHIFT) & ((1n << SHARD_BITS) - 1n)),
    node: Number((value >> SEQUENCE_BITS) & ((1n << NODE_BITS) - 1n)),
    sequence: Number(value & ((1n << SEQUENCE_BITS) - 1n)),
  };
}

export function logicalShardOf(id: string): number {
  return decodeId(id).logicalShard;
}

export function encodeId(parts: DecodedId): string {
  const elapsed = BigInt(parts.timestampMs - ID_EPOCH_MS);
  return (
    (elapsed << TIME_SHIFT) |
    (BigInt(parts.logicalShard) << SHARD_SHIFT) |
    (BigInt(parts.node) << SEQUENCE_BITS) |
    BigInt(parts.sequence)
  ).toString();
}

/** Where a leased node number comes from; `current()` throws (503) while the process may not mint. */
export interface IdNodeSource {
  current(): number;
}

function checkNode(node: number): number {
  if (!Number.isInteger(node) || node < 0 || node >= MAX_NODES) {
    throw new RangeError(`node must be an integer in [0, ${MAX_NODES - 1}]`);
  }
  return node;
}

/**
 * Makes IDs for one process. Unique as long as no two live processes share a
 * node number; the sequence is per logical shard and millisecond. The node is
 * fixed, or read from a lease on every ID (it may change when the lease is
 * taken again, and minting stops while none is held).
 */
export class IdGenerator {
  private lastMs = 0;
  private readonly sequences = new Map<number, number>();
  private readonly node: IdNodeSource;

  constructor(
    node: number | IdNodeSource,
    private readonly now: () => number = Date.now,
  ) {
    if (typeof node === 'number') {
      const fixed = checkNode(node);
      this.node = { current: () => fixed };
    } else {
      this.node = node;
    }
  }

  next(logicalShard: number): string {
    if (!Number.isInteger(logicalShard) || logicalShard < 0 || logicalShard >= LOGICAL_SHARDS) {
      throw new RangeError(`logical shard out of range: ${logicalShard}`);
    }
    const node = checkNode(this.node.current());
    let ms = Math.max(this.now(), this.lastMs);
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.sequences.clear();
    }
    let sequence = this.sequences.get(logicalShard) ?? 0;
    if (sequence > SEQUENCE_MAX) {
      // This shard's sequence is spent for this millisecond: borrow the next one.
      ms = this.lastMs + 1;
      this.lastMs = ms;
      this.sequences.clear();
      sequence = 0;
    }
    this.sequences.set(logicalShard, sequence + 1);
    return encodeId({ timestampMs: ms, logicalShard, node, sequence });
  }
}
