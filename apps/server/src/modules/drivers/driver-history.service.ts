import {
  isActiveTripStatus,
  type DriverStats,
  type DriverTrip,
  type TripCustomer,
} from '@loadline/contracts';
import { errors } from '../../lib/errors';
import { isId } from '../../platform/db/ids';
import { decodeCursor, encodeCursor, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { DriverTripKey, DriverTripsRepository } from './driver-trips.repository';
import type { BookingsRepository } from '../bookings/bookings.repository';
import type { UsersRepository } from '../users/users.repository';
import { presentDriverTrip } from './drivers.presenter';
import type { DriversRepository } from './drivers.repository';

const DEFAULT_CURRENCY = 'INR';

const messages = {
  badCursor: 'cursor is not valid',
} as const;

export interface DriverHistoryServiceDeps {
  router: ShardRouter;
  trips: DriverTripsRepository;
  /** The driver's rating. */
  drivers: DriversRepository;
  /** The customer of an active trip: the booking names them, on the booking's (the customer's) shard. */
  bookings: BookingsRepository;
  users: UsersRepository;
}

/** A driver's own history: the trips it was assigned, and the stats they add up to. */
export class DriverHistoryService {
  constructor(private readonly deps: DriverHistoryServiceDeps) {}

  /** The driver's trips, newest assignment first. */
  async trips(driverId: string, limit: number, cursor: string | null): Promise<ScatterPage<DriverTrip>> {
    const after = cursor === null ? null : decodeTripCursor(cursor);
    const rows = await this.deps.trips.listForDriver(
      this.deps.router.forId(driverId).db,
      driverId,
      after,
      limit + 1,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: await Promise.all(
        items.map(async (row) => {
          const trip = presentDriverTrip(row);
          const customer = isActiveTripStatus(row.status) ? await this.customerOf(row.booking_id) : null;
          return customer === null ? trip : { ...trip, customer };
        }),
      ),
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.assigned_at, last.booking_id]) : null,
    };
  }

  /** Name and phone of the booking's customer; null when either row is gone. */
  private async customerOf(bookingId: string): Promise<TripCustomer | null> {
    const db = this.deps.router.forId(bookingId).db;
    const booking = await this.deps.bookings.findById(db, bookingId);
    const user = booking === undefined ? undefined : await this.deps.users.findById(db, booking.customer_id);
    return user === undefined ? null : { name: user.name, phone: user.phone };
  }

  /**
   * `trips` counts the delivered ones; earnings are their summed prices. Prices of one
   * deployment share a currency; should trips carry several, earnings report the
   * currency with the most trips and only its amounts.
   */
  async stats(driverId: string): Promise<DriverStats> {
    const db = this.deps.router.forId(driverId).db;
    const [totals, offers, rating] = await Promise.all([
      this.deps.trips.deliveredTotals(db, driverId),
      this.deps.trips.offerCounts(db, driverId),
      this.deps.drivers.findRating(db, driverId),
    ]);
    if (rating === undefined) {
      throw errors.notFound('Driver');
    }
    const trips = totals.reduce((sum, total) => sum + total.trips, 0);
    const main = totals.reduce<(typeof totals)[number] | undefined>(
      (best, total) => (best === undefined || total.trips > best.trips ? total : best),
      undefined,
    );
    const accepted = offers.accepted ?? 0;
    // Revoked offers (taken by another driver, cancelled) were never the driver's to answer.
    const answered = accepted + (offers.rejected ?? 0) + (offers.expired ?? 0);
    return {
      trips,
      earnings:
        main === undefined
          ? { amount: 0, currency: DEFAULT_CURRENCY }
          : { amount: main.earnings, currency: main.currency },
      acceptanceRate: answered === 0 ? null : Math.round((accepted / answered) * 10_000) / 10_000,
      rating:
        rating.rating_count === 0 ? null : Math.round((rating.rating_sum / rating.rating_count) * 100) / 100,
      ratingCount: rating.rating_count,
    };
  }
}

/** A trip list cursor: the assignment time and the booking ID; anything else is a 400. */
function decodeTripCursor(cursor: string): DriverTripKey {
  const [assignedAt, bookingId] = decodeCursor(cursor, 2);
  if (typeof assignedAt !== 'number' || typeof bookingId !== 'string' || !isId(bookingId)) {
    throw errors.validation(messages.badCursor, { field: 'cursor' });
  }
  return { assignedAt, bookingId };
}
