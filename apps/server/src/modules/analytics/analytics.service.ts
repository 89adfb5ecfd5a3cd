import type {
  AnalyticsQuery,
  DriverPerformance,
  FailedStopsByReason,
  FailedStopsFigures,
  StopFailureReason,
  UnfilledDemand,
  VehicleTypeFigures,
} from '@loadline/contracts';
import { Analytics, STOP_FAILURE_REASONS, VEHICLE_TYPES } from '@loadline/contracts';
import { errors } from '../../lib/errors';
import { StoredJson } from '../../lib/message-kind';
import type { Clock } from '../../lib/clock';
import type { Cache } from '../../platform/cache/cache.port';
import type { ShardRouter } from '../../platform/db/shard-router';
import { DAY_MS, dayOf, type RollupsRepository } from './rollups.repository';
import { AREA_CELLS_PER_DEGREE } from './contributions';
import type { ExpiredArea, UnfilledDemandRepository } from './unfilled-demand.repository';

/** A computed range of analytics in the shared cache, checked when read back. */
const CACHED_ANALYTICS = new StoredJson('cached analytics', Analytics);

const CACHE_SECONDS = 10;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const TOP_DRIVERS = 10;
const TOP_AREAS = 10;
const TOP_FAILING_DRIVERS = 10;

export interface AnalyticsServiceDeps {
  router: ShardRouter;
  rollups: RollupsRepository;
  unfilled: UnfilledDemandRepository;
  cache: Cache;
  clock: Clock;
  /** Currency of revenue figures: the pricing catalog's default region's. */
  currency: string;
}

/**
 * Trips, times, bookings per day, per vehicle type and the top drivers for a
 * range of UTC days, read from the roll-ups (a few hundred rows per shard, not
 * the bookings themselves) and cached for a few seconds.
 */
export class AnalyticsService {
  constructor(private readonly deps: AnalyticsServiceDeps) {}

  async analytics(query: AnalyticsQuery): Promise<Analytics> {
    const range = this.range(query);
    const key = `admin:analytics:${range.fromDay}:${range.toDay}`;
    const cached = await this.deps.cache.get(key);
    const hit = cached === null ? null : CACHED_ANALYTICS.readCached(cached);
    if (hit !== null) {
      return hit;
    }
    const result = await this.compute(range);
    await this.deps.cache.set(key, CACHED_ANALYTICS.write(result), CACHE_SECONDS);
    return result;
  }

  private range(query: AnalyticsQuery): { fromDay: number; toDay: number } {
    const toDay = query.to === undefined ? dayOf(this.deps.clock.now()) : parseDay(query.to, 'to');
    const fromDay = query.from === undefined ? toDay - (DEFAULT_DAYS - 1) : parseDay(query.from, 'from');
    if (fromDay > toDay) {
      throw errors.validation('from must not be after to', { field: 'from' });
    }
    if (toDay - fromDay + 1 > MAX_DAYS) {
      throw errors.validation(`the range may span at most ${MAX_DAYS} days`, { field: 'from' });
    }
    return { fromDay, toDay };
  }

  private async compute(range: { fromDay: number; toDay: number }): Promise<Analytics> {
    const { router, rollups, unfilled } = this.deps;
    const [daily, top, hours, areas, failureReasons, failing] = await Promise.all([
      Promise.all(router.shards.map((shard) => rollups.bookingDaily(shard.db, range.fromDay, range.toDay))),
      Promise.all(router.shards.map((shard) => rollups.topDrivers(shard.db, range, TOP_DRIVERS))),
      Promise.all(router.shards.map((shard) => unfilled.byHour(shard.db, range))),
      Promise.all(router.shards.map((shard) => unfilled.byArea(shard.db, range))),
      Promise.all(router.shards.map((shard) => rollups.stopFailuresByReason(shard.db, range))),
      Promise.all(
        router.shards.map((shard) => rollups.topFailingDrivers(shard.db, range, TOP_FAILING_DRIVERS)),
      ),
    ]);

    const perDay = new Map<number, { count: number; completed: number; expired: number }>();
    for (let day = range.fromDay; day <= range.toDay; day += 1) {
      perDay.set(day, { count: 0, completed: 0, expired: 0 });
    }
    const perType = new Map(
      VEHICLE_TYPES.map((type) => [
        type,
        { bookings: 0, tripsCompleted: 0, cancelled: 0, expired: 0, revenue: 0, tripMs: 0, tripCount: 0 },
      ]),
    );
    const totals = { created: 0, delivered: 0, expired: 0, tripMs: 0, tripCount: 0, waitMs: 0, waitCount: 0 };
    for (const row of daily.flat()) {
      const day = perDay.get(row.day);
      if (day !== undefined) {
        day.count += row.created;
        day.completed += row.delivered;
        day.expired += row.expired;
      }
      const type = perType.get(row.vehicle_type as (typeof VEHICLE_TYPES)[number]);
      if (type !== undefined) {
        type.bookings += row.created;
        type.tripsCompleted += row.delivered;
        type.cancelled += row.cancelled;
        type.expired += row.expired;
        type.revenue += row.revenue;
        type.tripMs += row.trip_ms;
        type.tripCount += row.trip_count;
      }
      totals.created += row.created;
      totals.delivered += row.delivered;
      totals.expired += row.expired;
      totals.tripMs += row.trip_ms;
      totals.tripCount += row.trip_count;
      totals.waitMs += row.wait_ms;
      totals.waitCount += row.wait_count;
    }

    const byVehicleType: VehicleTypeFigures[] = [...perType].map(([vehicleType, figures]) => ({
      vehicleType,
      bookings: figures.bookings,
      tripsCompleted: figures.tripsCompleted,
      cancelled: figures.cancelled,
      expired: figures.expired,
      revenue: figures.revenue,
      avgTripMinutes: minutes(figures.tripMs, figures.tripCount),
    }));

    return {
      from: formatDay(range.fromDay),
      to: formatDay(range.toDay),
      currency: this.deps.currency,
      tripsCompleted: totals.delivered,
      avgTripMinutes: minutes(totals.tripMs, totals.tripCount),
      avgPickupWaitMinutes: minutes(totals.waitMs, totals.waitCount),
      bookingsPerDay: [...perDay].map(([day, figures]) => ({ day: formatDay(day), ...figures })),
      byVehicleType,
      driverPerformance: await this.driverPerformance(top.flat(), range),
      unfilled: unfilledDemand(totals, hours.flat(), areas.flat()),
      failedStops: await this.failedStops(failureReasons.flat(), failing.flat(), range),
    };
  }

  /**
   * Failed stops by reason, summed over the shards, and the drivers with the
   * most: each driver's rows live on the driver's shard only, so the shards'
   * top lists merge exactly; their reasons and names are then read from those
   * shards for the few drivers shown.
   */
  private async failedStops(
    reasons: readonly { reason: string; failed: number }[],
    candidates: readonly { driverId: string; failed: number }[],
    range: { fromDay: number; toDay: number },
  ): Promise<FailedStopsFigures> {
    const worst = [...candidates]
      .sort((a, b) => b.failed - a.failed || (a.driverId < b.driverId ? -1 : 1))
      .slice(0, TOP_FAILING_DRIVERS);
    const byShard = new Map<number, string[]>();
    for (const driver of worst) {
      const shard = this.deps.router.forId(driver.driverId);
      byShard.set(shard.index, [...(byShard.get(shard.index) ?? []), driver.driverId]);
    }
    const names = new Map<string, string>();
    const driverReasons = new Map<string, { reason: string; failed: number }[]>();
    await Promise.all(
      [...byShard].map(async ([index, ids]) => {
        const shard = this.deps.router.shards[index];
        if (shard === undefined) {
          return;
        }
        const [found, rows] = await Promise.all([
          this.deps.rollups.driverNames(shard.db, ids),
          this.deps.rollups.driversStopFailures(shard.db, ids, range),
        ]);
        for (const [id, name] of found) {
          names.set(id, name);
        }
        for (const row of rows) {
          driverReasons.set(row.driverId, [...(driverReasons.get(row.driverId) ?? []), row]);
        }
      }),
    );
    const byReason = failuresByReason(reasons);
    return {
      total: byReason.reduce((sum, entry) => sum + entry.count, 0),
      byReason,
      drivers: worst.map((driver) => ({
        driverId: driver.driverId,
        name: names.get(driver.driverId) ?? 'Unknown driver',
        failed: driver.failed,
        byReason: failuresByReason(driverReasons.get(driver.driverId) ?? []),
      })),
    };
  }

  /** Each driver's roll-up lives on the driver's shard only, so the shards' top lists merge exactly. */
  private async driverPerformance(
    candidates: Awaited<ReturnType<RollupsRepository['topDrivers']>>,
    range: { fromDay: number; toDay: number },
  ): Promise<DriverPerformance[]> {
    const best = candidates
      .sort((a, b) => b.trips - a.trips || (a.driverId < b.driverId ? -1 : 1))
      .slice(0, TOP_DRIVERS);
    const byShard = new Map<number, string[]>();
    for (const driver of best) {
      const shard = this.deps.router.forId(driver.driverId);
      byShard.set(shard.index, [...(byShard.get(shard.index) ?? []), driver.driverId]);
    }
    const window = { fromMs: range.fromDay * DAY_MS, toMs: (range.toDay + 1) * DAY_MS };
    const names = new Map<string, string>();
    const answers = new Map<string, { accepted: number; answered: number }>();
    await Promise.all(
      [...byShard].map(async ([index, ids]) => {
        const shard = this.deps.router.shards[index];
        if (shard === undefined) {
          return;
        }
        const [found, answered] = await Promise.all([
          this.deps.rollups.driverNames(shard.db, ids),
          this.deps.rollups.offerAnswers(shard.db, ids, window),
        ]);
        for (const [id, name] of found) {
          names.set(id, name);
        }
        for (const [id, figures] of answered) {
          answers.set(id, figures);
        }
      }),
    );
    return best.map((driver) => {
      const answer = answers.get(driver.driverId);
      return {
        driverId: driver.driverId,
        name: names.get(driver.driverId) ?? 'Unknown driver',
        trips: driver.trips,
        avgTripMinutes: minutes(driver.tripMs, driver.trips),
        acceptanceRate:
          answer === undefined || answer.answered === 0
            ? null
            : Math.round((answer.accepted / answer.answered) * 1000) / 1000,
        rating:
          driver.ratingCount === 0 ? null : Math.round((driver.ratingSum / driver.ratingCount) * 100) / 100,
      };
    });
  }
}

/**
 * Expired demand of the range: the total and its share from the roll-ups, the
 * hours and areas merged from every shard's counts (an area may span shards).
 */
export function unfilledDemand(
  totals: { created: number; expired: number },
  hours: readonly { hour: number; count: number }[],
  areas: readonly ExpiredArea[],
): UnfilledDemand {
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0 }));
  for (const part of hours) {
    const slot = byHour[part.hour];
    if (slot !== undefined) {
      slot.count += part.count;
    }
  }
  const cells = new Map<string, ExpiredArea>();
  for (const area of areas) {
    const key = `${area.cellLat}:${area.cellLng}`;
    const seen = cells.get(key);
    cells.set(
      key,
      seen === undefined
        ? { ...area }
        : { ...seen, count: seen.count + area.count, address: seen.address ?? area.address },
    );
  }
  const byArea = [...cells.values()]
    .sort((a, b) => b.count - a.count || a.cellLat - b.cellLat || a.cellLng - b.cellLng)
    .slice(0, TOP_AREAS)
    .map((area) => ({
      lat: area.cellLat / AREA_CELLS_PER_DEGREE,
      lng: area.cellLng / AREA_CELLS_PER_DEGREE,
      count: area.count,
      address: area.address,
    }));
  return {
    expired: totals.expired,
    rate: totals.created === 0 ? null : Math.round((totals.expired / totals.created) * 1000) / 1000,
    byHour,
    byArea,
  };
}

/**
 * Counts per reason, every reason of the contract in its order (zeros too);
 * a stored reason the contract no longer names is left out.
 */
export function failuresByReason(rows: readonly { reason: string; failed: number }[]): FailedStopsByReason {
  const counts = new Map<StopFailureReason, number>(STOP_FAILURE_REASONS.map((reason) => [reason, 0]));
  for (const row of rows) {
    const reason = STOP_FAILURE_REASONS.find((known) => known === row.reason);
    if (reason !== undefined) {
      counts.set(reason, (counts.get(reason) ?? 0) + row.failed);
    }
  }
  return [...counts].map(([reason, count]) => ({ reason, count }));
}

function minutes(totalMs: number, count: number): number | null {
  return count === 0 ? null : Math.round((totalMs / count / 60_000) * 10) / 10;
}

function parseDay(value: string, field: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms)) {
    throw errors.validation(`${field} is not a valid date`, { field });
  }
  return dayOf(ms);
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
