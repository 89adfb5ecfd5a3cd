import { isUniqueViolation, retryOnConflict } from '../../platform/db/db-errors';
import type { Shard } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxEvent, OutboxRelay } from '../../platform/outbox/outbox';
import {
  BOOKING_RATED,
  BOOKING_STATUS_CHANGED,
  BOOKING_STOP_CHANGED,
  type BookingRated,
  type BookingStatusChanged,
  type BookingStopChanged,
} from '../events/booking-events';
import type { BookingsRepository } from '../bookings/bookings.repository';
import {
  createdDelta,
  deliveredDeltas,
  ratingDelta,
  stopFailurePart,
  unfilledDelta,
  type UnfilledDelta,
} from './contributions';
import {
  dayOf,
  type BookingDailyDelta,
  type CountedPart,
  type DriverDailyDelta,
  type RollupsRepository,
  type StopFailureDelta,
} from './rollups.repository';

export const ANALYTICS_ROLLUP_JOB = 'analytics.rollup';

export interface AnalyticsRollupDeps {
  router: ShardRouter;
  rollups: RollupsRepository;
  bookings: BookingsRepository;
  /** Called after a change to the roll-ups commits (cache invalidation). */
  onChanged?: () => void;
}

/**
 * Keeps the analytics roll-ups current from outbox events. Each part of a
 * booking an event brings (its creation, delivery, cancellation, expiry and
 * unfilled demand on the booking's shard, its trip, rating and failed stops on the driver's) is added in one
 * transaction with a claim on that part, so neither a redelivered event nor
 * an event a rebuild has already counted from the booking's row adds twice.
 */
export class AnalyticsRollup {
  constructor(private readonly deps: AnalyticsRollupDeps) {}

  async statusChanged(event: OutboxEvent<BookingStatusChanged>): Promise<void> {
    const change = event.payload;
    const bookingShard = this.deps.router.forId(change.bookingId);
    switch (change.to) {
      case 'delivered': {
        const row = await this.deps.bookings.findById(bookingShard.db, change.bookingId);
        if (row === undefined) {
          throw new Error(`booking ${change.bookingId} of a delivery was not found`);
        }
        const deltas = deliveredDeltas({ ...row, driver_id: change.driverId ?? row.driver_id });
        await this.add(
          bookingShard,
          event.id,
          { bookingId: change.bookingId, part: 'delivered' },
          {
            booking: [deltas.booking],
          },
        );
        if (deltas.driver !== null) {
          await this.add(
            this.deps.router.forId(deltas.driver.driver_id),
            event.id,
            { bookingId: change.bookingId, part: 'trip', ownerId: deltas.driver.driver_id },
            { driver: [deltas.driver] },
          );
        }
        break;
      }
      case 'cancelled':
      case 'expired': {
        await this.add(
          bookingShard,
          event.id,
          { bookingId: change.bookingId, part: change.to },
          {
            booking: [{ day: dayOf(change.at), vehicle_type: change.vehicleType, [change.to]: 1 }],
          },
        );
        if (change.to === 'expired') {
          // Its own part and transaction: a rebuild claims the two parts apart. Where and when it was
          // asked for is the row's, which the event does not carry (events hold no addresses).
          const row = await this.deps.bookings.findById(bookingShard.db, change.bookingId);
          if (row === undefined) {
            throw new Error(`booking ${change.bookingId} of an expiry was not found`);
          }
          await this.add(
            bookingShard,
            event.id,
            { bookingId: change.bookingId, part: 'unfilled' },
            { unfilled: [unfilledDelta(row)] },
          );
        }
        break;
      }
      default:
        if (change.from === null) {
          await this.add(
            bookingShard,
            event.id,
            { bookingId: change.bookingId, part: 'created' },
            {
              booking: [createdDelta({ vehicle_type: change.vehicleType, created_at: change.at })],
            },
          );
        }
        break;
    }
  }

  async rated(event: OutboxEvent<BookingRated>): Promise<void> {
    const rated = event.payload;
    await this.add(
      this.deps.router.forId(rated.driverId),
      event.id,
      { bookingId: rated.bookingId, part: 'rating', ownerId: rated.driverId },
      { driver: [ratingDelta(rated.driverId, rated.deliveredAt, rated.rating)] },
    );
  }

  /** A failed stop counts for its driver, on the day it failed; arrivals and completions count nothing. */
  async stopChanged(event: OutboxEvent<BookingStopChanged>): Promise<void> {
    const change = event.payload;
    if (change.change !== 'failed' || change.reason === null) {
      return;
    }
    const failure = stopFailurePart({
      driverId: change.driverId,
      stopSeq: change.stopSeq,
      reason: change.reason,
      at: change.at,
    });
    await this.add(
      this.deps.router.forId(change.driverId),
      event.id,
      { bookingId: change.bookingId, part: failure.part, ownerId: change.driverId },
      { stopFailures: [failure.delta] },
    );
  }

  private async add(
    shard: Shard,
    eventId: string,
    part: CountedPart,
    change: {
      booking?: BookingDailyDelta[];
      driver?: DriverDailyDelta[];
      stopFailures?: StopFailureDelta[];
      unfilled?: UnfilledDelta[];
    },
  ): Promise<void> {
    const { rollups } = this.deps;
    try {
      await retryOnConflict(() =>
        shard.db.transaction().execute(async (trx) => {
          await rollups.claim(trx, part, eventId);
          if (change.booking !== undefined) {
            await rollups.addBookingDaily(trx, shard.dialect, change.booking);
          }
          if (change.driver !== undefined) {
            await rollups.addDriverDaily(trx, shard.dialect, change.driver);
          }
          if (change.stopFailures !== undefined) {
            await rollups.addStopFailures(trx, shard.dialect, change.stopFailures);
          }
          if (change.unfilled !== undefined) {
            await rollups.addUnfilled(trx, shard.dialect, change.unfilled);
          }
        }),
      );
    } catch (error) {
      // The part's claim refused: counted already, and this transaction changed nothing.
      if (isUniqueViolation(error)) {
        return;
      }
      throw error;
    }
    this.deps.onChanged?.();
  }
}

export function registerAnalyticsRollup(relay: Pick<OutboxRelay, 'consume'>, rollup: AnalyticsRollup): void {
  relay.consume(BOOKING_STATUS_CHANGED, ANALYTICS_ROLLUP_JOB, (event) => rollup.statusChanged(event));
  relay.consume(BOOKING_RATED, ANALYTICS_ROLLUP_JOB, (event) => rollup.rated(event));
  relay.consume(BOOKING_STOP_CHANGED, ANALYTICS_ROLLUP_JOB, (event) => rollup.stopChanged(event));
}
