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
 * The admin overview, gathered from every shard with indexed counts and cached
 * for a second so a dashboard full of admins costs one scatter per second.
 * "Today" is the current UTC day.
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
    const [online, active, searching, delivered, cancelled, offers] = await Promise.all([
      db.selectFrom('drivers').select(count.as('n')).where('online', '=', 1).executeTakeFirstOrThrow(),
      db.selectFrom('bookings').select(count.as('n')).where('status', 'in', ACTIVE).executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select(count.as('n'))
        .where('status', '=', 'searching')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select([
          count.as('n'),
          sql<number | string | null>`sum(delivered_at - picked_up_at) / 60000.0`.as('trip'),
          sql<number | string | null>`sum(case when picked_up_at is not null then 1 else 0 end)`.as(
            'tripCount',
          ),
          sql<number | string | null>`sum(picked_up_at - search_started_at) / 60000.0`.as('wait'),
          sql<
            number | string | null
          >`sum(case when picked_up_at is not null and search_started_at is not null then 1 else 0 end)`.as(
            'waitCount',
          ),
        ])
        .where('status', '=', 'delivered')
        .where('delivered_at', '>=', dayStart)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('bookings')
        .select(count.as('n'))
        .where('status', '=', 'cancelled')
        .where('cancelled_at', '>=', dayStart)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('offers')
        .select([
          sql<number | string | null>`sum(case when status = 'accepted' then 1 else 0 end)`.as('accepted'),
          sql<
            number | string | null
          >`sum(case when status in ('accepted', 'rejected', 'expired') then 1 else 0 end)`.as('answered'),
        ])
        .executeTakeFirstOrThrow(),
    ]);
    return {
      onlineDrivers: Number(online.n),
      activeBookings: Number(active.n),
      searchingBookings: Number(searching.n),
      deliveredToday: Number(delivered.n),
      cancelledToday: Number(cancelled.n),
      tripMinutesSum: Number(delivered.trip ?? 0),
      tripCount: Number(delivered.tripCount ?? 0),
      waitMinutesSum: Number(delivered.wait ?? 0),
      waitCount: Number(delivered.waitCount ?? 0),
      offersAccepted: Number(offers.accepted ?? 0),
      offersAnswered: Number(offers.answered ?? 0),
    };
  }
}
