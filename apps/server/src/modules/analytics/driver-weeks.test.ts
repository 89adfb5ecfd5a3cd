import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { LoadlineApp } from '../../app';
import type { Shard } from '../../platform/db/shard-pool';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { Random } from '../../lib/random';
import { up as fillDriverWeeks } from '../../platform/db/migrations/0024-driver-weekly';
import { RollupsRepository, splitByWeeks, weekOf, type DriverDailyDelta } from './rollups.repository';

describe('a range of days split into whole weeks and edge days', () => {
  it('covers every day of the range once, each week whole', () => {
    for (let fromDay = 20_000; fromDay < 20_015; fromDay += 1) {
      for (let toDay = fromDay; toDay < fromDay + 40; toDay += 1) {
        const { weeks, edges } = splitByWeeks({ fromDay, toDay });
        const covered: number[] = [];
        for (let week = weeks?.from ?? 1; week <= (weeks?.to ?? 0); week += 1) {
          const days = [0, 1, 2, 3, 4, 5, 6].map((offset) => 7 * week - 3 + offset);
          expect(days.map(weekOf)).toEqual(Array.from({ length: 7 }, () => week));
          covered.push(...days);
        }
        for (const edge of edges) {
          for (let day = edge.fromDay; day <= edge.toDay; day += 1) {
            covered.push(day);
          }
        }
        expect(covered.sort((a, b) => a - b)).toEqual(
          Array.from({ length: toDay - fromDay + 1 }, (_, index) => fromDay + index),
        );
        // An edge is shorter than a week, or no whole week fits.
        expect(weeks === null || edges.every((edge) => edge.toDay - edge.fromDay < 6)).toBe(true);
      }
    }
    // 1970-01-05 (day 4) was a Monday: the first day of week 1.
    expect([weekOf(3), weekOf(4), weekOf(10), weekOf(11)]).toEqual([0, 1, 1, 2]);
  });
});

describe(`top drivers from weeks and edge days (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let shard: Shard;
  const rollups = new RollupsRepository();
  const FIRST_DAY = 20_400;
  const DAYS = 45;
  const deltas: DriverDailyDelta[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('driverweeks');
    app = await env.start({ roles: [] });
    const first = app.platform.router.shards[0];
    if (first === undefined) {
      throw new Error('no shard');
    }
    shard = first;
    // Twelve drivers with a few trips on random days, added in several batches, as events and chunks do.
    const random = new Random(42);
    const drivers = Array.from({ length: 12 }, () => app.platform.ids.next(0));
    for (let index = 0; index < 400; index += 1) {
      deltas.push({
        day: FIRST_DAY + random.intBetween(0, DAYS - 1),
        driver_id: random.pick(drivers),
        trips: 1,
        trip_ms: random.intBetween(60_000, 3_600_000),
        rating_sum: random.intBetween(1, 5),
        rating_count: 1,
        earnings: 100,
      });
    }
    for (let start = 0; start < deltas.length; start += 37) {
      const batch = deltas.slice(start, start + 37);
      await shard.db.transaction().execute((trx) => rollups.addDriverDaily(trx, shard.dialect, batch));
    }
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('the migration fills the weeks from the days a shard already holds, again when rerun', async () => {
    const weeks = () =>
      shard.db.selectFrom('driver_weekly').selectAll().orderBy('week').orderBy('driver_id').execute();
    const added = await weeks();
    expect(added.length).toBeGreaterThan(12);
    await shard.db.deleteFrom('driver_weekly').execute();
    await fillDriverWeeks(shard.db as unknown as Kysely<unknown>, shard.dialect);
    expect(await weeks()).toEqual(added);
    await fillDriverWeeks(shard.db as unknown as Kysely<unknown>, shard.dialect);
    expect(await weeks()).toEqual(added);
  });

  it('answers every range as a sum over its days would', async () => {
    for (let fromDay = FIRST_DAY - 2; fromDay < FIRST_DAY + 12; fromDay += 1) {
      for (let toDay = fromDay; toDay < FIRST_DAY + DAYS + 2; toDay += 3) {
        const sums = new Map<
          string,
          { trips: number; tripMs: number; ratingSum: number; ratingCount: number }
        >();
        for (const delta of deltas) {
          if (delta.day < fromDay || delta.day > toDay) {
            continue;
          }
          const sum = sums.get(delta.driver_id) ?? { trips: 0, tripMs: 0, ratingSum: 0, ratingCount: 0 };
          sum.trips += delta.trips ?? 0;
          sum.tripMs += delta.trip_ms ?? 0;
          sum.ratingSum += delta.rating_sum ?? 0;
          sum.ratingCount += delta.rating_count ?? 0;
          sums.set(delta.driver_id, sum);
        }
        const expected = [...sums]
          .map(([driverId, sum]) => ({ driverId, ...sum }))
          .sort((a, b) => b.trips - a.trips || (BigInt(a.driverId) < BigInt(b.driverId) ? -1 : 1))
          .slice(0, 5);
        expect(await rollups.topDrivers(shard.db, { fromDay, toDay }, 5), `${fromDay}..${toDay}`).toEqual(
          expected,
        );
      }
    }
  });
});
