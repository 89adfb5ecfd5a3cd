import type { BookingStatus, VehicleType } from '@loadline/contracts';
import { loadConfig } from '../src/config/config';
import type { ShardPool } from '../src/platform/db/shard-pool';
import { createShardPool } from '../src/platform/platform';

export interface BookingRow {
  readonly id: string;
  readonly customerId: string;
  readonly driverId: string | null;
  readonly status: BookingStatus;
  readonly vehicleType: VehicleType;
  readonly seq: number;
  readonly priceAmount: number;
  readonly scheduledAt: number | null;
  readonly searchStartedAt: number | null;
  readonly pickedUpAt: number | null;
  readonly deliveredAt: number | null;
  readonly cancelledAt: number | null;
  readonly rating: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly pickupLat: number;
  readonly pickupLng: number;
  readonly pickupAddress: string | null;
}

export interface EventRow {
  readonly bookingId: string;
  readonly seq: number;
  readonly status: BookingStatus;
  readonly at: number;
}

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly payload: string;
  readonly createdAt: number;
  readonly publishedAt: number | null;
  /** When every consumer of the event had run. */
  readonly consumedAt: number | null;
}

export interface DriverRow {
  readonly id: string;
  readonly activeBookingId: string | null;
  readonly ratingSum: number;
  readonly ratingCount: number;
}

export interface DriverTripRow {
  readonly driverId: string;
  readonly bookingId: string;
  readonly status: BookingStatus;
  readonly seq: number;
}

/** Roll-up rows keep their column names: they are compared with the roll-up deltas, which use them too. */
export interface BookingDailyRow {
  readonly vehicle_type: string;
  readonly created: number;
  readonly delivered: number;
  readonly cancelled: number;
  readonly expired: number;
  readonly revenue: number;
  readonly trip_count: number;
}

/** Unfilled demand's counts by the hour a booking was made, and by its pickup area (ADR 0041). */
export interface UnfilledRow {
  readonly by: 'hour' | 'area';
  readonly key: string;
  readonly expired: number;
}

export interface DriverDailyRow {
  readonly driver_id: string;
  readonly trips: number;
  readonly earnings: number;
  readonly rating_sum: number;
  readonly rating_count: number;
}

/** Every row the invariants look at, read from every shard (bookings before their events). */
export interface Snapshot {
  readonly takenAt: number;
  readonly bookings: readonly BookingRow[];
  readonly events: readonly EventRow[];
  readonly outbox: readonly OutboxRow[];
  readonly drivers: readonly DriverRow[];
  readonly driverTrips: readonly DriverTripRow[];
  readonly notificationKeys: ReadonlySet<string>;
  readonly bookingDaily: readonly BookingDailyRow[];
  readonly driverDaily: readonly DriverDailyRow[];
  /** `driver_weekly`'s rows: the same counters as `driver_daily`, per week. */
  readonly driverWeekly: readonly DriverDailyRow[];
  readonly unfilled: readonly UnfilledRow[];
}

const id = (value: string | number): string => String(value);
const maybeId = (value: string | number | null): string | null => (value === null ? null : String(value));
const num = (value: string | number | bigint): number => Number(value);
const maybeNum = (value: string | number | null): number | null => (value === null ? null : Number(value));

function driverRow(row: {
  driver_id: string | number;
  trips: number | string;
  earnings: number | string;
  rating_sum: number | string;
  rating_count: number | string;
}): DriverDailyRow {
  return {
    driver_id: id(row.driver_id),
    trips: num(row.trips),
    earnings: num(row.earnings),
    rating_sum: num(row.rating_sum),
    rating_count: num(row.rating_count),
  };
}

/** Reads the shard databases directly, through the same pool the server uses. */
export class ShardReader {
  private readonly pool: ShardPool;

  constructor(env: Record<string, string>) {
    this.pool = createShardPool(loadConfig(env));
  }

  async snapshot(): Promise<Snapshot> {
    const takenAt = Date.now();
    // The sources first, on every shard, then their effects: a consumer writes its effects (on any
    // shard) before its event is marked consumed, so every event read as consumed has them in the
    // second read.
    const sources = await Promise.all(
      this.pool.shards.map(async ({ db }) => {
        const bookings = await db.selectFrom('bookings').selectAll().execute();
        const [events, outbox] = await Promise.all([
          db.selectFrom('booking_events').select(['booking_id', 'seq', 'status', 'at']).execute(),
          db
            .selectFrom('outbox')
            .select(['id', 'topic', 'payload', 'created_at', 'published_at', 'consumed_at'])
            .execute(),
        ]);
        return { bookings, events, outbox };
      }),
    );
    const parts = await Promise.all(
      this.pool.shards.map(async ({ db }, index) => {
        const { bookings, events, outbox } = sources[index] ?? { bookings: [], events: [], outbox: [] };
        const [drivers, driverTrips, notifications, bookingDaily, driverDaily, driverWeekly, hours, areas] =
          await Promise.all([
            db
              .selectFrom('drivers')
              .select(['user_id', 'active_booking_id', 'rating_sum', 'rating_count'])
              .execute(),
            db.selectFrom('driver_jobs').select(['driver_id', 'booking_id', 'status', 'seq']).execute(),
            db.selectFrom('notifications').select('source_key').execute(),
            db.selectFrom('booking_daily').selectAll().execute(),
            db.selectFrom('driver_daily').selectAll().execute(),
            db.selectFrom('driver_weekly').selectAll().execute(),
            db.selectFrom('unfilled_hourly').selectAll().execute(),
            db.selectFrom('unfilled_areas').selectAll().execute(),
          ]);
        return {
          bookings: bookings.map((row): BookingRow => ({
            id: id(row.id),
            customerId: id(row.customer_id),
            driverId: maybeId(row.driver_id),
            status: row.status,
            vehicleType: row.vehicle_type,
            seq: num(row.seq),
            priceAmount: num(row.price_amount),
            scheduledAt: maybeNum(row.scheduled_at),
            searchStartedAt: maybeNum(row.search_started_at),
            pickedUpAt: maybeNum(row.picked_up_at),
            deliveredAt: maybeNum(row.delivered_at),
            cancelledAt: maybeNum(row.cancelled_at),
            rating: maybeNum(row.rating),
            createdAt: num(row.created_at),
            updatedAt: num(row.updated_at),
            pickupLat: num(row.pickup_lat),
            pickupLng: num(row.pickup_lng),
            pickupAddress: row.pickup_address,
          })),
          events: events.map((row): EventRow => ({
            bookingId: id(row.booking_id),
            seq: num(row.seq),
            status: row.status,
            at: num(row.at),
          })),
          outbox: outbox.map((row): OutboxRow => ({
            id: id(row.id),
            topic: row.topic,
            payload: row.payload,
            createdAt: num(row.created_at),
            publishedAt: maybeNum(row.published_at),
            consumedAt: maybeNum(row.consumed_at),
          })),
          drivers: drivers.map((row): DriverRow => ({
            id: id(row.user_id),
            activeBookingId: maybeId(row.active_booking_id),
            ratingSum: num(row.rating_sum),
            ratingCount: num(row.rating_count),
          })),
          driverTrips: driverTrips.map((row): DriverTripRow => ({
            driverId: id(row.driver_id),
            bookingId: id(row.booking_id),
            status: row.status,
            seq: num(row.seq),
          })),
          notificationKeys: notifications.map((row) => row.source_key),
          bookingDaily: bookingDaily.map((row): BookingDailyRow => ({
            vehicle_type: row.vehicle_type,
            created: num(row.created),
            delivered: num(row.delivered),
            cancelled: num(row.cancelled),
            expired: num(row.expired),
            revenue: num(row.revenue),
            trip_count: num(row.trip_count),
          })),
          driverDaily: driverDaily.map(driverRow),
          driverWeekly: driverWeekly.map(driverRow),
          unfilled: [
            ...hours.map((row): UnfilledRow => ({
              by: 'hour',
              key: `${row.hour}`,
              expired: num(row.expired),
            })),
            ...areas.map((row): UnfilledRow => ({
              by: 'area',
              key: `${row.cell_lat}:${row.cell_lng}`,
              expired: num(row.expired),
            })),
          ],
        };
      }),
    );
    return {
      takenAt,
      bookings: parts.flatMap((part) => part.bookings),
      events: parts.flatMap((part) => part.events),
      outbox: parts.flatMap((part) => part.outbox),
      drivers: parts.flatMap((part) => part.drivers),
      driverTrips: parts.flatMap((part) => part.driverTrips),
      notificationKeys: new Set(parts.flatMap((part) => part.notificationKeys)),
      bookingDaily: parts.flatMap((part) => part.bookingDaily),
      driverDaily: parts.flatMap((part) => part.driverDaily),
      driverWeekly: parts.flatMap((part) => part.driverWeekly),
      unfilled: parts.flatMap((part) => part.unfilled),
    };
  }

  /** Booking moves made by drivers after `since`, on every shard: the simulated fleet is working. */
  async driverMovesSince(since: number): Promise<number> {
    const counts = await Promise.all(
      this.pool.shards.map(({ db }) =>
        db
          .selectFrom('booking_events')
          .select((eb) => eb.fn.countAll().as('moves'))
          .where('actor_role', '=', 'driver')
          .where('at', '>', since)
          .executeTakeFirstOrThrow(),
      ),
    );
    return counts.reduce((sum, row) => sum + Number(row.moves), 0);
  }

  /**
   * What a fault healed at `before` may still have under way: bookings created
   * before it that are still searching, and outbox rows written before it not
   * yet consumed.
   */
  async unsettled(before: number): Promise<number> {
    const counts = await Promise.all(
      this.pool.shards.map(async ({ db }) => {
        const searching = await db
          .selectFrom('bookings')
          .select((eb) => eb.fn.countAll().as('rows'))
          .where('status', '=', 'searching')
          .where('created_at', '<', before)
          .executeTakeFirstOrThrow();
        const unconsumed = await db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('rows'))
          .where('consumed_at', 'is', null)
          .where('created_at', '<', before)
          .executeTakeFirstOrThrow();
        return Number(searching.rows) + Number(unconsumed.rows);
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Work still under way: outbox rows not consumed, and when the newest outbox row was written. */
  async pending(): Promise<{ unconsumed: number; newestAt: number }> {
    const rows = await Promise.all(
      this.pool.shards.map(({ db }) =>
        db
          .selectFrom('outbox')
          .select((eb) => [
            eb.fn.countAll().as('rows'),
            eb.fn.count('consumed_at').as('consumed'),
            eb.fn.max('created_at').as('newest'),
          ])
          .executeTakeFirstOrThrow(),
      ),
    );
    return {
      unconsumed: rows.reduce((sum, row) => sum + Number(row.rows) - Number(row.consumed), 0),
      newestAt: Math.max(0, ...rows.map((row) => row.newest)),
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
