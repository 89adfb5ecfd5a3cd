import { isActiveJobStatus, type DriverJob, type DriverStats, type JobCustomer } from '@loadline/contracts';
import { errors } from '../../lib/errors';
import { isId } from '../../platform/db/ids';
import { decodeCursor, encodeCursor, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { DriverJobKey, DriverJobsRepository } from './driver-jobs.repository';
import type { BookingsRepository } from '../bookings/bookings.repository';
import type { UsersRepository } from '../users/users.repository';
import { presentDriverJob } from './drivers.presenter';
import type { DriversRepository } from './drivers.repository';

const DEFAULT_CURRENCY = 'INR';

const messages = {
  badCursor: 'cursor is not valid',
} as const;

export interface DriverHistoryServiceDeps {
  router: ShardRouter;
  jobs: DriverJobsRepository;
  /** The driver's rating. */
  drivers: DriversRepository;
  /** The customer of an active job: the booking names them, on the booking's (the customer's) shard. */
  bookings: BookingsRepository;
  users: UsersRepository;
}

/** A driver's own history: the jobs it was assigned, and the stats they add up to. */
export class DriverHistoryService {
  constructor(private readonly deps: DriverHistoryServiceDeps) {}

  /** The driver's jobs, newest assignment first. */
  async jobs(driverId: string, limit: number, cursor: string | null): Promise<ScatterPage<DriverJob>> {
    const after = cursor === null ? null : decodeJobCursor(cursor);
    const rows = await this.deps.jobs.listForDriver(
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
          const job = presentDriverJob(row);
          const customer = isActiveJobStatus(row.status) ? await this.customerOf(row.booking_id) : null;
          return customer === null ? job : { ...job, customer };
        }),
      ),
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.assigned_at, last.booking_id]) : null,
    };
  }

  /** Name and phone of the booking's customer; null when either row is gone. */
  private async customerOf(bookingId: string): Promise<JobCustomer | null> {
    const db = this.deps.router.forId(bookingId).db;
    const booking = await this.deps.bookings.findById(db, bookingId);
    const user = booking === undefined ? undefined : await this.deps.users.findById(db, booking.customer_id);
    return user === undefined ? null : { name: user.name, phone: user.phone };
  }

  /**
   * Trips are delivered jobs; earnings their summed prices. Prices of one
   * deployment share a currency; should jobs carry several, earnings report the
   * currency with the most trips and only its amounts.
   */
  async stats(driverId: string): Promise<DriverStats> {
    const db = this.deps.router.forId(driverId).db;
    const [totals, offers, rating] = await Promise.all([
      this.deps.jobs.deliveredTotals(db, driverId),
      this.deps.jobs.offerCounts(db, driverId),
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

/** A job list cursor: the assignment time and the booking ID; anything else is a 400. */
function decodeJobCursor(cursor: string): DriverJobKey {
  const [assignedAt, bookingId] = decodeCursor(cursor, 2);
  if (typeof assignedAt !== 'number' || typeof bookingId !== 'string' || !isId(bookingId)) {
    throw errors.validation(messages.badCursor, { field: 'cursor' });
  }
  return { assignedAt, bookingId };
}
