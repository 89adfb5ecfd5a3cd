import type { PricingRegion } from '../pricing/pricing-catalog';
import { Random } from '../../lib/random';
import { addAccount } from './account-records';
import { addBooking } from './booking-records';
import { Batches, DAY, HOUR, MINUTE, type ChunkPlan, type Placement, type ShardBatch } from './chunk-plan';

/** Rows built between two yields of `chunkBuilder`. */
const ROWS_PER_STEP = 250;

/**
 * Builds one chunk's records, grouped by the shard each row belongs on,
 * yielding every few hundred rows so a caller can give the event loop a turn.
 */
export function* chunkBuilder(
  plan: ChunkPlan,
  place: Placement,
  region: PricingRegion,
): Generator<void, Map<number, ShardBatch>> {
  const random = new Random(plan.seed).fork(`chunk:${plan.chunk}`);
  const batches = new Batches();
  for (let row = plan.firstRow; row < plan.firstRow + plan.rows; row += 1) {
    if ((row - plan.firstRow) % ROWS_PER_STEP === ROWS_PER_STEP - 1) {
      yield;
    }
    const createdAt = createdAtOf(plan, row, random);
    switch (plan.entity) {
      case 'users':
        addAccount(batches, place, plan, row, createdAt, random, 'customer');
        break;
      case 'drivers':
        addAccount(batches, place, plan, row, createdAt, random, 'driver');
        break;
      case 'bookings':
        addBooking(batches, place, plan, row, createdAt, random, region);
        break;
    }
  }
  return batches.byShard;
}

/** `chunkBuilder` run to the end, giving the event loop a turn between steps. */
export async function buildChunk(
  plan: ChunkPlan,
  place: Placement,
  region: PricingRegion,
): Promise<Map<number, ShardBatch>> {
  const builder = chunkBuilder(plan, place, region);
  for (let step = builder.next(); ; step = builder.next()) {
    if (step.done === true) {
      return step.value;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Rows are spread evenly over the history, oldest first, each at a random moment of its slot. */
function createdAtOf(plan: ChunkPlan, row: number, random: Random): number {
  // Bookings end a few hours before the job so every lifecycle is over by then.
  const end = plan.startedAt - (plan.entity === 'bookings' ? 4 * HOUR : MINUTE);
  const span = plan.historyDays * DAY;
  return Math.floor(end - span + ((row + random.next()) * span) / plan.total);
}
