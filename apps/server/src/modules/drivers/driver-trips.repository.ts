import type { Selectable } from 'kysely';
import type {
  BookingStatusColumn,
  BookingsTable,
  DriverTripsTable,
  OfferStatus,
} from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type DriverTripRow = Selectable<DriverTripsTable>;

/** Position in the driver's trip list (newest assignment first). */
export interface DriverTripKey {
  assignedAt: number;
  bookingId: string;
}

export interface DeliveredTotals {
  currency: string;
  trips: number;
  earnings: number;
}

/** The booking facts a trip row copies, read from the booking's shard. */
export type BookingForTrip = Pick<
  Selectable<BookingsTable>,
  | 'id'
  | 'ref'
  | 'customer_id'
  | 'vehicle_type'
  | 'pickup_lat'
  | 'pickup_lng'
  | 'pickup_address'
  | 'dropoff_lat'
  | 'dropoff_lng'
  | 'dropoff_address'
  | 'price_amount'
  | 'currency'
  | 'distance_km'
  | 'assigned_at'
>;

/**
 * A driver's trip history (`driver_jobs`) and offer outcomes (`offers`), both on
 * the driver's shard, plus the read-only booking lookup the history is built from.
 */
export class DriverTripsRepository {
  async find(db: Executor, driverId: string, bookingId: string): Promise<DriverTripRow | undefined> {
    return db
      .selectFrom('driver_jobs')
      .selectAll()
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
  }

  /** A duplicate (driver, booking) raises the dialect's unique-violation error. */
  async insert(db: Executor, row: DriverTripRow): Promise<void> {
    await db.insertInto('driver_jobs').values(row).execute();
  }

  /** Applies an event to the row only when it is newer than the last one applied; true when it was. */
  async updateIfNewer(
    db: Executor,
    key: { driverId: string; bookingId: string },
    change: { status: BookingStatusColumn; completedAt: number | null; seq: number; now: number },
  ): Promise<boolean> {
    const result = await db
      .updateTable('driver_jobs')
      .set({
        status: change.status,
        completed_at: change.completedAt,
        seq: change.seq,
        updated_at: change.now,
      })
      .where('driver_id', '=', key.driverId)
      .where('booking_id', '=', key.bookingId)
      .where('seq', '<', change.seq)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setAssignedAt(
    db: Executor,
    key: { driverId: string; bookingId: string },
    at: number,
    now: number,
  ): Promise<void> {
    await db
      .updateTable('driver_jobs')
      .set({ assigned_at: at, updated_at: now })
      .where('driver_id', '=', key.driverId)
      .where('booking_id', '=', key.bookingId)
      .execute();
  }

  /** The driver's trips after `after` (or from the newest), newest assignment first. */
  async listForDriver(
    db: Executor,
    driverId: string,
    after: DriverTripKey | null,
    limit: number,
  ): Promise<DriverTripRow[]> {
    let query = db.selectFrom('driver_jobs').selectAll().where('driver_id', '=', driverId);
    if (after !== null) {
      query = query.where((eb) =>
        eb.or([
          eb('assigned_at', '<', after.assignedAt),
          eb.and([eb('assigned_at', '=', after.assignedAt), eb('booking_id', '<', after.bookingId)]),
        ]),
      );
    }
    return query.orderBy('assigned_at', 'desc').orderBy('booking_id', 'desc').limit(limit).execute();
  }

  /** Delivered trips and their summed prices, per currency. */
  async deliveredTotals(db: Executor, driverId: string): Promise<DeliveredTotals[]> {
    const rows = await db
      .selectFrom('driver_jobs')
      .select((eb) => [
        'currency',
        eb.fn.countAll<number | string>().as('trips'),
        eb.fn.sum<number | string>('price_amount').as('earnings'),
      ])
      .where('driver_id', '=', driverId)
      .where('status', '=', 'delivered')
      .groupBy('currency')
      .execute();
    return rows.map((row) => ({
      currency: row.currency,
      trips: Number(row.trips),
      earnings: Number(row.earnings),
    }));
  }

  /** How many of the driver's offers ended in each state. */
  async offerCounts(db: Executor, driverId: string): Promise<Partial<Record<OfferStatus, number>>> {
    const rows = await db
      .selectFrom('offers')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
      .where('driver_id', '=', driverId)
      .groupBy('status')
      .execute();
    const counts: Partial<Record<OfferStatus, number>> = {};
    for (const row of rows) {
      counts[row.status] = Number(row.count);
    }
    return counts;
  }

  /**
   * Reads a booking on its own (customer's) shard. The bookings module owns
   * the table; this is a read of the facts a trip row copies.
   */
  async findBooking(db: Executor, bookingId: string): Promise<BookingForTrip | undefined> {
    return db
      .selectFrom('bookings')
      .select([
        'id',
        'ref',
        'customer_id',
        'vehicle_type',
        'pickup_lat',
        'pickup_lng',
        'pickup_address',
        'dropoff_lat',
        'dropoff_lng',
        'dropoff_address',
        'price_amount',
        'currency',
        'distance_km',
        'assigned_at',
      ])
      .where('id', '=', bookingId)
      .executeTakeFirst();
  }

  /** The customer of a booking, for the live-location fan-out. */
  async findBookingCustomer(db: Executor, bookingId: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('bookings')
      .select('customer_id')
      .where('id', '=', bookingId)
      .executeTakeFirst();
    return row?.customer_id;
  }
}
