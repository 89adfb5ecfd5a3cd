import { sql } from 'kysely';
import { ACTIVE_TRIP_STATUSES } from '@loadline/contracts';
import type { Executor } from '../../platform/db/shard-pool';

/** One shard's share of the admin overview. */
export interface ShardFigures {
  onlineDrivers: number;
  activeBookings: number;
  searchingBookings: number;
  deliveredToday: number;
  cancelledToday: number;
  expiredToday: number;
  tripMinutesSum: number;
  tripCount: number;
  waitMinutesSum: number;
  waitCount: number;
  offersAccepted: number;
  offersAnswered: number;
}

/** The overview's reads: indexed counts, the day's roll-up and the day's offers, on one shard. */
export class OverviewRepository {
  async shardFigures(db: Executor, dayStart: number): Promise<ShardFigures> {
    const count = sql<number | string>`count(*)`;
    const today = Math.floor(dayStart / 86_400_000);
    const [online, active, searching, daily, offers] = await Promise.all([
      db.selectFrom('drivers').select(count.as('n')).where('online', '=', 1).executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select(count.as('n'))
        .where('status', 'in', ACTIVE_TRIP_STATUSES)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select(count.as('n'))
        .where('status', '=', 'searching')
        .executeTakeFirstOrThrow(),
      // Today's deliveries, cancellations and expiries come from the roll-up: a handful of rows, not a scan.
      db
        .selectFrom('booking_daily')
        .select([
          sql<number | string | null>`sum(delivered)`.as('delivered'),
          sql<number | string | null>`sum(cancelled)`.as('cancelled'),
          sql<number | string | null>`sum(expired)`.as('expired'),
          sql<number | string | null>`sum(trip_ms)`.as('tripMs'),
          sql<number | string | null>`sum(trip_count)`.as('tripCount'),
          sql<number | string | null>`sum(wait_ms)`.as('waitMs'),
          sql<number | string | null>`sum(wait_count)`.as('waitCount'),
        ])
        .where('day', '=', today)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('offers')
        .select([
          sql<number | string | null>`sum(case when status = 'accepted' then 1 else 0 end)`.as('accepted'),
          sql<
            number | string | null
          >`sum(case when status in ('accepted', 'rejected', 'expired') then 1 else 0 end)`.as('answered'),
        ])
        .where('created_at', '>=', dayStart)
        .executeTakeFirstOrThrow(),
    ]);
    return {
      onlineDrivers: Number(online.n),
      activeBookings: Number(active.n),
      searchingBookings: Number(searching.n),
      deliveredToday: Number(daily.delivered ?? 0),
      cancelledToday: Number(daily.cancelled ?? 0),
      expiredToday: Number(daily.expired ?? 0),
      tripMinutesSum: Number(daily.tripMs ?? 0) / 60_000,
      tripCount: Number(daily.tripCount ?? 0),
      waitMinutesSum: Number(daily.waitMs ?? 0) / 60_000,
      waitCount: Number(daily.waitCount ?? 0),
      offersAccepted: Number(offers.accepted ?? 0),
      offersAnswered: Number(offers.answered ?? 0),
    };
  }
}
