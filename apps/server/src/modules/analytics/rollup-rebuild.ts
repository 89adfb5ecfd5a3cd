import type { ShardRouter } from '../../platform/db/shard-router';
import { bookingContributions, sumBookingDeltas, sumDriverDeltas } from './contributions';
import type { DriverDailyDelta, RollupsRepository } from './rollups.repository';

const PAGE = 5_000;

export interface RebuildReport {
  bookings: number;
  bookingRows: number;
  driverRows: number;
}

/**
 * Recomputes every roll-up from the bookings themselves: empties the roll-ups,
 * their marks and the drivers' rating sums on every shard, then reads each
 * shard's bookings in ID pages and adds what each contributes (the same
 * function generation uses). Run it with the workers stopped: an event counted
 * between the emptying and the recount would be counted twice.
 */
export async function rebuildRollups(
  deps: { router: ShardRouter; rollups: RollupsRepository },
  onProgress?: (bookings: number) => void,
): Promise<RebuildReport> {
  const { router, rollups } = deps;
  for (const shard of router.shards) {
    await shard.db.transaction().execute(async (trx) => {
      await rollups.clear(trx);
      await rollups.resetDriverRatings(trx);
    });
  }
  const report: RebuildReport = { bookings: 0, bookingRows: 0, driverRows: 0 };
  for (const shard of router.shards) {
    let after: string | null = null;
    for (;;) {
      const page = await rollups.bookingFactsAfter(shard.db, after, PAGE);
      if (page.length === 0) {
        break;
      }
      after = page[page.length - 1]?.id ?? null;
      const contributions = page.map(bookingContributions);
      const bookingDeltas = sumBookingDeltas(contributions.flatMap((part) => part.booking));
      await rollups.addBookingDaily(shard.db, shard.dialect, bookingDeltas);
      report.bookingRows += bookingDeltas.length;

      const byDriverShard = new Map<number, DriverDailyDelta[]>();
      for (const delta of contributions.flatMap((part) => part.driver)) {
        const index = router.forId(delta.driver_id).index;
        byDriverShard.set(index, [...(byDriverShard.get(index) ?? []), delta]);
      }
      for (const [index, deltas] of byDriverShard) {
        const target = router.shards[index];
        if (target === undefined) {
          continue;
        }
        const summed = sumDriverDeltas(deltas);
        await target.db.transaction().execute((trx) => rollups.addDriverDaily(trx, target.dialect, summed));
        report.driverRows += summed.length;
      }
      report.bookings += page.length;
      onProgress?.(report.bookings);
    }
  }
  return report;
}
