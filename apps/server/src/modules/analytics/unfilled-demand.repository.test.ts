import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { book, newCustomer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import type { OutboxEvent } from '../../platform/outbox/outbox';
import { BookingsRepository } from '../bookings/bookings.repository';
import type { BookingStatusChanged } from '../events/booking-events';
import { AnalyticsRollup } from './analytics-rollup.consumer';
import { AREA_CELLS_PER_DEGREE } from './contributions';
import { dayOf, RollupsRepository } from './rollups.repository';
import { UnfilledDemandRepository } from './unfilled-demand.repository';

describe(`unfilled demand roll-ups (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('unfilledarea', { env: { RATE_LIMITS: 'off' } });
    // No worker role: the test delivers the events itself.
    app = await env.start({ roles: ['api'] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('counts an expiry once, on the hour it was made and in the cell Math.round names, whoever counts first', async () => {
    const { router, ids } = app.platform;
    const rollups = new RollupsRepository();
    const rollup = new AnalyticsRollup({ router, rollups, bookings: new BookingsRepository() });
    const unfilled = new UnfilledDemandRepository();
    // 12.925 * 20 = 258.5 and 77.525 * 20 = 1550.5: halves whose even neighbour is below.
    const pickup = { lat: 12.925, lng: 77.525, address: 'Edge of two cells' };
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup, dropoff: { lat: 12.95, lng: 77.55 } });
    const shard = router.forId(booking.id);
    const createdAt = Date.parse(booking.createdAt);
    const day = dayOf(createdAt);
    const hour = new Date(createdAt).getUTCHours();
    const expiredAt = createdAt + 60_000;
    await shard.db
      .updateTable('bookings')
      .set({ status: 'expired', updated_at: expiredAt })
      .where('id', '=', booking.id)
      .execute();
    const expiry = {
      id: ids.next(7),
      topic: 'booking.status_changed',
      aggregateId: booking.id,
      createdAt: expiredAt,
      payload: {
        bookingId: booking.id,
        customerId: customer.user.id,
        driverId: null,
        vehicleType: 'van',
        from: 'searching',
        to: 'expired',
        seq: 3,
        at: expiredAt,
        actor: { role: 'system', id: null },
      },
    } satisfies OutboxEvent<BookingStatusChanged>;
    const figures = async () => ({
      areas: (await unfilled.byArea(shard.db, { fromDay: day, toDay: day })).map(
        ({ cellLat, cellLng, count, address }) => ({ cellLat, cellLng, count, address }),
      ),
      hour: (await unfilled.byHour(shard.db, { fromDay: day, toDay: day })).find(
        (entry) => entry.hour === hour,
      )?.count,
      expired: (await rollups.bookingDaily(shard.db, dayOf(expiredAt), dayOf(expiredAt)))[0]?.expired,
    });

    const countedOnce = {
      areas: [{ cellLat: 259, cellLng: 1551, count: 1, address: pickup.address }],
      hour: 1,
      expired: 1,
    };

    // A rebuild counted the unfilled demand but not the expiry (the two are claimed apart).
    await shard.db.transaction().execute(async (trx) => {
      const claimed = await rollups.claimForRebuild(trx, shard.dialect, [
        { bookingId: booking.id, part: 'unfilled' },
      ]);
      expect(claimed.size).toBe(1);
      await rollups.addUnfilled(trx, shard.dialect, [
        { day, hour, cellLat: 259, cellLng: 1551, address: pickup.address },
      ]);
    });
    await rollup.statusChanged(expiry);
    // Delivered again: nothing more.
    await rollup.statusChanged(expiry);

    expect(await figures()).toEqual(countedOnce);
    expect([
      Math.round(pickup.lat * AREA_CELLS_PER_DEGREE),
      Math.round(pickup.lng * AREA_CELLS_PER_DEGREE),
    ]).toEqual([259, 1551]);

    // Without the rebuild's claim the event counts the demand itself, in the same cell and hour.
    await shard.db.deleteFrom('unfilled_areas').execute();
    await shard.db.deleteFrom('unfilled_hourly').execute();
    await shard.db
      .deleteFrom('rollup_parts')
      .where('booking_id', '=', booking.id)
      .where('part', '=', 'unfilled')
      .execute();
    await rollup.statusChanged(expiry);
    await rollup.statusChanged(expiry);
    expect(await figures()).toEqual(countedOnce);
  });

  it("keeps an area's first known address and adds every expiry, over separate statements", async () => {
    const { router, ids } = app.platform;
    const rollups = new RollupsRepository();
    const unfilled = new UnfilledDemandRepository();
    const shard = router.forId(ids.next(0));
    const day = 20_500;
    const area = { day, cellLat: 300, cellLng: 1600 };
    const add = (hour: number, address: string | null) =>
      shard.db
        .transaction()
        .execute((trx) => rollups.addUnfilled(trx, shard.dialect, [{ ...area, hour, address }]));
    const read = async () =>
      (await unfilled.byArea(shard.db, { fromDay: day, toDay: day })).map(({ count, address }) => ({
        count,
        address,
      }));

    // No address yet (a booking without one): the next one typed names the area, and stays.
    await add(8, null);
    expect(await read()).toEqual([{ count: 1, address: null }]);
    await add(9, 'First known address');
    await add(9, 'A later address');
    await add(10, null);
    expect(await read()).toEqual([{ count: 4, address: 'First known address' }]);
    const hours = await unfilled.byHour(shard.db, { fromDay: day, toDay: day });
    expect(hours.filter((entry) => entry.count > 0).map(({ hour, count }) => ({ hour, count }))).toEqual([
      { hour: 8, count: 1 },
      { hour: 9, count: 2 },
      { hour: 10, count: 1 },
    ]);
  });
});
