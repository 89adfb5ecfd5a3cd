import { encodeId, GENERATED_ID_NODE, ID_EPOCH_MS } from '../../platform/db/ids';

/** Bits of an ID's time that carry the generation index instead (2^22 ms ≈ 70 minutes). */
const INDEX_TIME_BITS = 22;
const INDEX_TIME_MASK = (1 << INDEX_TIME_BITS) - 1;

/**
 * The ID of generated record number `index` (counted across every generation
 * job of the deployment), created at `createdAt`, on `logicalShard`.
 *
 * Generated IDs use the node number no process leases, so they never meet a
 * live ID. Among themselves they are told apart by the index: its low 5 bits
 * are the sequence and the next 22 replace the low bits of the time, so two
 * records collide only if their indexes differ by a multiple of 2^27 (134
 * million) and they were created in the same 70 minutes on the same logical
 * shard. The ID still sorts by creation time, to within those 70 minutes.
 */
export function generatedId(index: number, createdAt: number, logicalShard: number): string {
  const elapsed = createdAt - ID_EPOCH_MS;
  if (elapsed < 0) {
    throw new RangeError('generated records must be created after the ID epoch');
  }
  const coarse = elapsed - (elapsed % (INDEX_TIME_MASK + 1));
  return encodeId({
    timestampMs: ID_EPOCH_MS + coarse + (Math.floor(index / 32) & INDEX_TIME_MASK),
    logicalShard,
    node: GENERATED_ID_NODE,
    sequence: index % 32,
  });
}
