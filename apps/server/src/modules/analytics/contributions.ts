import type { BookingsTable } from '../../platform/db/schema';
import {
  BOOKING_COUNTERS,
  dayOf,
  DRIVER_COUNTERS,
  type BookingDailyDelta,
  type DriverDailyDelta,
  type RollupPart,
  type StopFailureDelta,
} from './rollups.repository';

/** What a booking contributes to the roll-ups, whatever produced it. */
export type BookingFacts = Pick<
  BookingsTable,
  | 'vehicle_type'
  | 'status'
  | 'driver_id'
  | 'price_amount'
  | 'search_started_at'
  | 'picked_up_at'
  | 'delivered_at'
  | 'cancelled_at'
  | 'created_at'
  | 'updated_at'
  | 'rating'
  | 'pickup_lat'
  | 'pickup_lng'
  | 'pickup_address'
>;

/** Pickup areas are cells of 1/20 of a degree (about 5.5 km north to south). */
export const AREA_CELLS_PER_DEGREE = 20;

/** A coordinate's area cell index: its centre is `cell / 20`. */
export function areaCell(coordinate: number): number {
  return Math.round(coordinate * AREA_CELLS_PER_DEGREE);
}

/** An expired booking, counted as unfilled demand on the day and hour it was made and in its pickup's area. */
export interface UnfilledDelta {
  day: number;
  /** UTC hour of day the booking was made. */
  hour: number;
  cellLat: number;
  cellLng: number;
  address: string | null;
}

export function unfilledDelta(
  facts: Pick<BookingFacts, 'created_at' | 'pickup_lat' | 'pickup_lng' | 'pickup_address'>,
): UnfilledDelta {
  return {
    day: dayOf(facts.created_at),
    hour: Math.floor(facts.created_at / 3_600_000) % 24,
    cellLat: areaCell(facts.pickup_lat),
    cellLng: areaCell(facts.pickup_lng),
    address: facts.pickup_address,
  };
}

/** Creation: counted on the day the booking was made. */
export function createdDelta(facts: Pick<BookingFacts, 'vehicle_type' | 'created_at'>): BookingDailyDelta {
  return { day: dayOf(facts.created_at), vehicle_type: facts.vehicle_type, created: 1 };
}

/** A delivery: counted on the day of delivery, for the booking and for its driver. */
export function deliveredDeltas(facts: BookingFacts): {
  booking: BookingDailyDelta;
  driver: DriverDailyDelta | null;
} {
  const deliveredAt = facts.delivered_at ?? facts.updated_at;
  const day = dayOf(deliveredAt);
  const tripMs = facts.picked_up_at === null ? null : Math.max(0, deliveredAt - facts.picked_up_at);
  const waitMs =
    facts.picked_up_at === null || facts.search_started_at === null
      ? null
      : Math.max(0, facts.picked_up_at - facts.search_started_at);
  return {
    booking: {
      day,
      vehicle_type: facts.vehicle_type,
      delivered: 1,
      trip_ms: tripMs ?? 0,
      trip_count: tripMs === null ? 0 : 1,
      wait_ms: waitMs ?? 0,
      wait_count: waitMs === null ? 0 : 1,
      revenue: facts.price_amount,
    },
    driver:
      facts.driver_id === null
        ? null
        : { day, driver_id: facts.driver_id, trips: 1, trip_ms: tripMs ?? 0, earnings: facts.price_amount },
  };
}

/** A rating: counted for the driver on the day of the trip it rates. */
export function ratingDelta(driverId: string, deliveredAt: number, rating: number): DriverDailyDelta {
  return { day: dayOf(deliveredAt), driver_id: driverId, rating_sum: rating, rating_count: 1 };
}

/** A part of a booking counted into `booking_daily`, on the booking's shard. */
export type BookingPart = Exclude<RollupPart, DriverPart | 'unfilled'>;
/**
 * A part of a booking counted on the driver's shard: into `driver_daily` (and
 * the driver's rating), or a failed stop into `stop_failure_daily`.
 */
export type DriverPart = Extract<RollupPart, 'trip' | 'rating' | `failed:${number}`>;

/** A failed stop, as its event or its stop row tells it. */
export interface StopFailureFacts {
  driverId: string;
  stopSeq: number;
  reason: string;
  /** When the stop failed (its `completed_at`, the event's `at`). */
  at: number;
}

/**
 * A failed stop: counted for the driver on the day it failed. Its part names
 * the stop, so an event and a rebuild reading the stop's row claim the same one.
 */
export function stopFailurePart(facts: StopFailureFacts): {
  part: `failed:${number}`;
  delta: StopFailureDelta;
} {
  return {
    part: `failed:${facts.stopSeq}`,
    delta: { day: dayOf(facts.at), driver_id: facts.driverId, reason: facts.reason, failed: 1 },
  };
}

/**
 * The parts one booking in its current state contributes, each named: an outbox
 * consumer counting an event and a rebuild reading the row claim the same name,
 * so each part is counted once whichever comes first.
 */
export function bookingParts(facts: BookingFacts): {
  booking: { part: BookingPart; delta: BookingDailyDelta }[];
  driver: { part: DriverPart; delta: DriverDailyDelta }[];
  unfilled: { part: 'unfilled'; delta: UnfilledDelta }[];
} {
  const booking: { part: BookingPart; delta: BookingDailyDelta }[] = [
    { part: 'created', delta: createdDelta(facts) },
  ];
  const driver: { part: DriverPart; delta: DriverDailyDelta }[] = [];
  const unfilled: { part: 'unfilled'; delta: UnfilledDelta }[] = [];
  switch (facts.status) {
    case 'delivered': {
      const delivered = deliveredDeltas(facts);
      booking.push({ part: 'delivered', delta: delivered.booking });
      if (delivered.driver !== null) {
        driver.push({ part: 'trip', delta: delivered.driver });
        if (facts.rating !== null && facts.driver_id !== null) {
          driver.push({
            part: 'rating',
            delta: ratingDelta(facts.driver_id, facts.delivered_at ?? facts.updated_at, facts.rating),
          });
        }
      }
      break;
    }
    case 'cancelled':
      booking.push({
        part: 'cancelled',
        delta: {
          day: dayOf(facts.cancelled_at ?? facts.updated_at),
          vehicle_type: facts.vehicle_type,
          cancelled: 1,
        },
      });
      break;
    case 'expired':
      booking.push({
        part: 'expired',
        delta: { day: dayOf(facts.updated_at), vehicle_type: facts.vehicle_type, expired: 1 },
      });
      unfilled.push({ part: 'unfilled', delta: unfilledDelta(facts) });
      break;
    default:
      break;
  }
  return { booking, driver, unfilled };
}

/** Everything one booking in its current state contributes (generation uses this). */
export function bookingContributions(facts: BookingFacts): {
  booking: BookingDailyDelta[];
  driver: DriverDailyDelta[];
  unfilled: UnfilledDelta[];
} {
  const parts = bookingParts(facts);
  return {
    booking: parts.booking.map((part) => part.delta),
    driver: parts.driver.map((part) => part.delta),
    unfilled: parts.unfilled.map((part) => part.delta),
  };
}

/** Sums deltas with the same key, so a batch writes each roll-up row once. */
function sumDeltas<T extends Partial<Record<C, number>>, C extends string>(
  deltas: Iterable<T>,
  keyOf: (delta: T) => string,
  counters: readonly C[],
): T[] {
  const byKey = new Map<string, T>();
  for (const delta of deltas) {
    const key = keyOf(delta);
    const sum = byKey.get(key);
    if (sum === undefined) {
      byKey.set(key, { ...delta });
      continue;
    }
    const totals: Partial<Record<C, number>> = sum;
    for (const counter of counters) {
      totals[counter] = (sum[counter] ?? 0) + (delta[counter] ?? 0);
    }
  }
  return [...byKey.values()];
}

export function sumBookingDeltas(deltas: Iterable<BookingDailyDelta>): BookingDailyDelta[] {
  return sumDeltas(deltas, (delta) => `${delta.day}:${delta.vehicle_type}`, BOOKING_COUNTERS);
}

export function sumStopFailures(deltas: Iterable<StopFailureDelta>): StopFailureDelta[] {
  return sumDeltas(deltas, (delta) => `${delta.day}:${delta.driver_id}:${delta.reason}`, ['failed'] as const);
}

export function sumDriverDeltas(deltas: Iterable<DriverDailyDelta>): DriverDailyDelta[] {
  return sumDeltas(deltas, (delta) => `${delta.day}:${delta.driver_id}`, DRIVER_COUNTERS);
}
