import { Overview } from '@loadline/contracts';
import type { Cache } from '../../platform/cache/cache.port';
import type { Clock } from '../../lib/clock';
import { StoredJson } from '../../lib/message-kind';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OverviewRepository, ShardFigures } from './overview.repository';

const CACHED_OVERVIEW = new StoredJson('cached overview', Overview);

const CACHE_KEY = 'admin:overview';
const CACHE_SECONDS = 1;

/**
 * The admin overview, gathered from every shard with indexed counts and the
 * day's roll-up, cached for a second so a dashboard full of admins costs one
 * scatter per second. "Today" is the current UTC day; acceptance counts the
 * offers made today.
 */
export class OverviewService {
  constructor(
    private readonly deps: { router: ShardRouter; cache: Cache; clock: Clock; figures: OverviewRepository },
  ) {}

  async overview(): Promise<Overview> {
    const cached = await this.deps.cache.get(CACHE_KEY);
    const hit = cached === null ? null : CACHED_OVERVIEW.readCached(cached);
    if (hit !== null) {
      return hit;
    }
    const now = this.deps.clock.now();
    const dayStart = now - (now % 86_400_000);
    const figures = await Promise.all(
      this.deps.router.shards.map((shard) => this.deps.figures.shardFigures(shard.db, dayStart)),
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
        expiredToday: 0,
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
      expiredToday: total.expiredToday,
      expiredRate: ratio(
        total.expiredToday,
        total.expiredToday + total.cancelledToday + total.deliveredToday,
      ),
    };
    await this.deps.cache.set(CACHE_KEY, CACHED_OVERVIEW.write(overview), CACHE_SECONDS);
    return overview;
  }
}
