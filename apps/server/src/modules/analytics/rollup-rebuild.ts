import type { Transaction } from 'kysely';
import { retryOnConflict } from '../../platform/db/db-errors';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import {
  bookingParts,
  stopFailurePart,
  sumBookingDeltas,
  sumDriverDeltas,
  sumStopFailures,
} from './contributions';
import {
  partKey,
  type CountedPart,
  type DriverDailyDelta,
  type RollupsRepository,
  type StopFailureDelta,
} from './rollups.repository';

const PAGE = 5_000;
/** Tries per transaction: consumers counting meanwhile may deadlock with a page, which InnoDB rolls back. */
const ATTEMPTS = 10;

export interface RebuildOptions {
  /** Bookings read per page (default 5,000). */
  pageSize?: number;
  /** Called after each page with the bookings recounted so far; the next page waits for it. */
  onProgress?: (bookings: number) => void | Promise<void>;
}

export interface RebuildReport {
  bookings: number;
  bookingRows: number;
  driverRows: number;
  /** Rows of failed stops per day, driver and reason written. */
  stopFailureRows: number;
  /** Expired bookings counted as unfilled demand. */
  unfilledBookings: number;
}

interface ClaimedPart<D> extends CountedPart {
  delta: D;
}

/**
 * Recomputes every roll-up from the bookings, exactly, while the outbox
 * consumers keep running. It empties each shard's roll-ups together with the
 * parts they counted (one transaction per shard), then reads every shard's
 * bookings in ID pages and claims each part a booking's row shows (created,
 * delivered, trip, rating...), adding only the parts it claimed. A consumer
 * claims the same part for the event that brings it, so each part is counted
 * once: by the rebuild when its event was counted before the emptying or is
 * not counted yet, by the consumer when it came first since the emptying or
 * when the row was read before the event was committed. Bookings created after
 * the emptying are left to the consumers, so the recount ends however busy the
 * platform is.
 * Run one rebuild at a time, and not while a generation job writes bookings
 * (generation adds its bookings' deltas without claiming their parts).
 */
export async function rebuildRollups(
  deps: { router: ShardRouter; rollups: RollupsRepository },
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const { router, rollups } = deps;
  for (const shard of router.shards) {
    await retryOnConflict(() => shard.db.transaction().execute((trx) => rollups.clear(trx)), ATTEMPTS);
  }
  const report: RebuildReport = {
    bookings: 0,
    bookingRows: 0,
    driverRows: 0,
    stopFailureRows: 0,
    unfilledBookings: 0,
  };
  for (const shard of router.shards) {
    // Bookings past the last one now were created after the emptying: the consumers count all of them.
    const lastId = await rollups.lastBookingId(shard.db);
    let after: string | null = null;
    while (lastId !== null) {
      const page = await rollups.bookingFactsAfter(
        shard.db,
        { afterId: after, lastId },
        options.pageSize ?? PAGE,
      );
      if (page.length === 0) {
        break;
      }
      after = page[page.length - 1]?.id ?? null;
      const parts = page.map((row) => ({ bookingId: row.id, ...bookingParts(row) }));

      const bookingSide = parts.flatMap(({ bookingId, booking }) =>
        booking.map((part) => ({ bookingId, ...part })),
      );
      report.bookingRows += await addClaimed(shard, rollups, bookingSide, async (trx, claimed) => {
        const deltas = sumBookingDeltas(claimed);
        await rollups.addBookingDaily(trx, shard.dialect, deltas);
        return deltas.length;
      });
      const unfilledSide = parts.flatMap(({ bookingId, unfilled }) =>
        unfilled.map((part) => ({ bookingId, ...part })),
      );
      report.unfilledBookings += await addClaimed(shard, rollups, unfilledSide, async (trx, claimed) => {
        await rollups.addUnfilled(trx, shard.dialect, claimed);
        return claimed.length;
      });

      const byDriverShard = new Map<number, ClaimedPart<DriverDailyDelta>[]>();
      for (const { bookingId, driver } of parts) {
        for (const part of driver) {
          const index = router.forId(part.delta.driver_id).index;
          byDriverShard.set(index, [
            ...(byDriverShard.get(index) ?? []),
            { bookingId, ownerId: part.delta.driver_id, ...part },
          ]);
        }
      }
      for (const [index, driverSide] of byDriverShard) {
        const target = router.shards[index];
        if (target === undefined) {
          continue;
        }
        report.driverRows += await addClaimed(target, rollups, driverSide, async (trx, claimed) => {
          const deltas = sumDriverDeltas(claimed);
          await rollups.addDriverDaily(trx, target.dialect, deltas);
          return deltas.length;
        });
      }
      // Failed stops: the page's stop rows on this shard, counted for the booking's driver on the driver's shard.
      const driverOf = new Map(page.map((row) => [row.id, row.driver_id]));
      const failuresByShard = new Map<number, ClaimedPart<StopFailureDelta>[]>();
      for (const stop of await rollups.failedStopsOf(
        shard.db,
        page.map((row) => row.id),
      )) {
        const driverId = driverOf.get(stop.bookingId);
        if (driverId === null || driverId === undefined) {
          continue;
        }
        const part = stopFailurePart({ driverId, stopSeq: stop.seq, reason: stop.reason, at: stop.at });
        const index = router.forId(driverId).index;
        failuresByShard.set(index, [
          ...(failuresByShard.get(index) ?? []),
          { bookingId: stop.bookingId, ownerId: driverId, ...part },
        ]);
      }
      for (const [index, failures] of failuresByShard) {
        const target = router.shards[index];
        if (target === undefined) {
          continue;
        }
        report.stopFailureRows += await addClaimed(target, rollups, failures, async (trx, claimed) => {
          const deltas = sumStopFailures(claimed);
          await rollups.addStopFailures(trx, target.dialect, deltas);
          return deltas.length;
        });
      }
      report.bookings += page.length;
      await options.onProgress?.(report.bookings);
    }
  }
  return report;
}

/**
 * In one transaction on `shard`: claims the parts and adds the deltas of those
 * it claimed (a consumer has counted the others since the shard was emptied).
 * Returns how many roll-up rows `add` wrote.
 */
async function addClaimed<D>(
  shard: Shard,
  rollups: RollupsRepository,
  parts: readonly ClaimedPart<D>[],
  add: (trx: Transaction<Database>, claimed: D[]) => Promise<number>,
): Promise<number> {
  if (parts.length === 0) {
    return 0;
  }
  return retryOnConflict(
    () =>
      shard.db.transaction().execute(async (trx) => {
        const claimed = await rollups.claimForRebuild(trx, shard.dialect, parts);
        return add(
          trx,
          parts.filter((part) => claimed.has(partKey(part.bookingId, part.part))).map((part) => part.delta),
        );
      }),
    ATTEMPTS,
  );
}
