import type { Overview } from '@loadline/contracts';
import { sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.port';
import type { Clock } from '../../lib/clock';
import type { ShardRouter } from '../../platform/db/shard-router';

const CACHE_KEY = 'admin:overview';
const CACHE_SECONDS = 1;
const ACTIVE = [
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
] as const;

interface ShardFigures {
  onlineDrivers: number;
  activeBookings: number;
  searchingBookings: number;
  deliveredToday: number;
  cancelledToday: number;
  tripMinutesSum: number;
  tripCount: number;
  waitMinutesSum: number;
  waitCount: number;
  offersAccepted: number;
  offersAnswered: number;
}

/**
 * The admin overview, gathered from every shard with indexed counts and the
 * day's roll-up, cached for a second so a dashboard full of admins costs one
 * scatter per second. "Today" is the current UTC day; acceptance counts the
 * offers made today.
 */
export class OverviewService {
  constructor(private readonly deps: { router: ShardRouter; cache: Cache; clock: Clock }) {}

  async overview(): Promise<Overview> {
    const cached = await this.deps.cache.get(CACHE_KEY);
    if (cached !== null) {
      return JSON.parse(cached) as Overview;
    }
    const now = this.deps.clock.now();
    const dayStart = now - (now % 86_400_000);
    const figures = await Promise.all(
      this.deps.router.shards.map((shard) => this.shardFigures(shard.db, dayStart)),
    );
    const total = figures.reduce<ShardFigures>(
      (sum, part) => {
        for (const key of Object.keys(sum) as (keyof ShardFigures)[]) {
          sum[key] += part[key];
        }
        return sum;
      },
      {
        onlineDrivers: 0,
        activeBookings: 0,
        searchingBookings: 0,
        deliveredToday: 0,
        cancelledToday: 0,
        tripMinutesSum: 0,
        tripCount: 0,
        waitMinutesSum: 0,
        waitCount: 0,
        offersAccepted: 0,
        offersAnswered: 0,
      },
    );
    const ratio = (part: number, whole: number) =>
      whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
    const average = (sum: number, count: number) =>
      count === 0 ? null : Math.round((sum / count) * 10) / 10;
    const overview: Overview = {
      onlineDrivers: total.onlineDrivers,
      activeBookings: total.activeBookings,
      searchingBookings: total.searchingBookings,
      completedToday: total.deliveredToday,
      avgTripMinutes: average(total.tripMinutesSum, total.tripCount),
      avgPickupWaitMinutes: average(total.waitMinutesSum, total.waitCount),
      acceptanceRate: ratio(total.offersAccepted, total.offersAnswered),
      cancellationRate: ratio(total.cancelledToday, total.cancelledToday + total.deliveredToday),
    };
    await this.deps.cache.set(CACHE_KEY, JSON.stringify(overview), CACHE_SECONDS);
    return overview;
  }

  private async shardFigures(
    db: ShardRouter['shards'][number]['db'],
    dayStart: number,
  ): Promise<ShardFigures> {
    const count = sql<number | string>`count(*)`;
    const today = Math.floor(dayStart / 86_400_000);
    const [online, active, searching, daily, offers] = await Promise.all([
      db.selectFrom('drivers').select(count.as('n')).where('online', '=', 1).executeTakeFirstOrThrow(),
      db.selectFrom('bookings').select(count.as('n')).where('status', 'in', ACTIVE).executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select(count.as('n'))
        .where('status', '=', 'searching')
        .executeTakeFirstOrThrow(),
      // Today's deliveries and cancellations come from the roll-up: a handful of rows, not a scan.
      db
        .selectFrom('booking_daily')
        .select([
          sql<number | string | null>`sum(delivered)`.as('delivered'),
          sql<number | string | null>`sum(cancelled)`.as('cancelled'),
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
      tripMinutesSum: Number(daily.tripMs ?? 0) / 60_000,
      tripCount: Number(daily.tripCount ?? 0),
      waitMinutesSum: Number(daily.waitMs ?? 0) / 60_000,
      waitCount: Number(daily.waitCount ?? 0),
      offersAccepted: Number(offers.accepted ?? 0),
      offersAnswered: Number(offers.answered ?? 0),
    };
  }
}
