import { OUTBOX_JOB } from '../../platform/outbox/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analytics, Booking, DriverStats, GenerationJob, Overview } from '@loadline/contracts';
import { STOP_FAILURE_REASONS } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, signInAdmin } from '../../../test/support/factories';
import {
  CITY,
  acceptOffer,
  book,
  driveToDelivered,
  getBooking,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
} from '../../../test/support/fleet';
import { drained } from '../../../test/support/drained';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';

const DAY = 86_400_000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface Recount {
  tripsCompleted: number;
  avgTripMinutes: number | null;
  avgPickupWaitMinutes: number | null;
  perDay: Map<string, { count: number; completed: number; expired: number }>;
  perType: Map<
    string,
    { bookings: number; tripsCompleted: number; cancelled: number; expired: number; revenue: number }
  >;
  /** Expired bookings made in the range, by the UTC hour they were made and by pickup cell. */
  expiredByHour: number[];
  expiredByCell: Map<string, number>;
  perDriver: Map<string, { trips: number; tripMs: number; ratingSum: number; ratingCount: number }>;
  /** Stops that failed in the range: by reason, and by driver and reason. */
  failedByReason: Map<string, number>;
  failedByDriver: Map<string, Map<string, number>>;
}

describe(`analytics (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('analytics', {
      env: { RATE_LIMITS: 'off', GENERATION_CHUNK_SIZE: '400', GENERATION_HISTORY_DAYS: '20' },
    });
    app = await env.start();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function generate(entity: 'users' | 'drivers' | 'bookings', total: number): Promise<void> {
    const started = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      headers: bearer(admin),
      payload: { entity, count: total },
    });
    const { jobId } = started.json<{ jobId: string }>();
    await waitFor(
      async () => {
        const job = (
          await app.http.inject({ url: `/v1/admin/jobs/${jobId}`, headers: bearer(admin) })
        ).json<GenerationJob>();
        return job.state === 'completed';
      },
      60_000,
      50,
    );
  }

  async function analytics(from: string, to: string): Promise<Analytics> {
    // A fresh cache: the service caches a range for a few seconds.
    await app.platform.cache.delete(`admin:analytics:${Date.parse(from) / DAY}:${Date.parse(to) / DAY}`);
    const response = await app.http.inject({
      url: `/v1/admin/analytics?from=${from}&to=${to}`,
      headers: bearer(admin),
    });
    expect(response.statusCode).toBe(200);
    return response.json<Analytics>();
  }

  /** Recounts the figures from every booking row, independently of the roll-ups. */
  async function recount(fromMs: number, toMs: number): Promise<Recount> {
    const result: Recount = {
      tripsCompleted: 0,
      avgTripMinutes: null,
      avgPickupWaitMinutes: null,
      perDay: new Map(),
      perType: new Map(),
      perDriver: new Map(),
      expiredByHour: Array.from({ length: 24 }, () => 0),
      expiredByCell: new Map(),
      failedByReason: new Map(),
      failedByDriver: new Map(),
    };
    let tripMs = 0;
    let waitMs = 0;
    let waits = 0;
    const inRange = (ms: number | null): ms is number => ms !== null && ms >= fromMs && ms < toMs;
    for (const shard of app.platform.router.shards) {
      const failed = await shard.db
        .selectFrom('booking_stops')
        .innerJoin('bookings', 'bookings.id', 'booking_stops.booking_id')
        .select(['bookings.driver_id', 'booking_stops.failure_reason', 'booking_stops.completed_at'])
        .where('booking_stops.status', '=', 'failed')
        .execute();
      for (const stop of failed) {
        if (!inRange(stop.completed_at) || stop.driver_id === null || stop.failure_reason === null) {
          continue;
        }
        const reason = stop.failure_reason;
        result.failedByReason.set(reason, (result.failedByReason.get(reason) ?? 0) + 1);
        const driver = result.failedByDriver.get(stop.driver_id) ?? new Map<string, number>();
        driver.set(reason, (driver.get(reason) ?? 0) + 1);
        result.failedByDriver.set(stop.driver_id, driver);
      }
      const rows = await shard.db.selectFrom('bookings').selectAll().execute();
      for (const row of rows) {
        const type = result.perType.get(row.vehicle_type) ?? {
          bookings: 0,
          tripsCompleted: 0,
          cancelled: 0,
          expired: 0,
          revenue: 0,
        };
        result.perType.set(row.vehicle_type, type);
        const dayOf = (ms: number) => result.perDay.get(isoDay(ms)) ?? { count: 0, completed: 0, expired: 0 };
        if (inRange(row.created_at)) {
          const day = dayOf(row.created_at);
          day.count += 1;
          result.perDay.set(isoDay(row.created_at), day);
          type.bookings += 1;
        }
        if (row.status === 'cancelled' && inRange(row.cancelled_at)) {
          type.cancelled += 1;
        }
        if (row.status === 'expired' && inRange(row.updated_at)) {
          const day = dayOf(row.updated_at);
          day.expired += 1;
          result.perDay.set(isoDay(row.updated_at), day);
          type.expired += 1;
        }
        if (row.status === 'expired' && inRange(row.created_at)) {
          const hour = new Date(row.created_at).getUTCHours();
          result.expiredByHour[hour] = (result.expiredByHour[hour] ?? 0) + 1;
          const cell = `${Math.round(row.pickup_lat * 20)}:${Math.round(row.pickup_lng * 20)}`;
          result.expiredByCell.set(cell, (result.expiredByCell.get(cell) ?? 0) + 1);
        }
        if (row.status === 'delivered' && inRange(row.delivered_at)) {
          const day = dayOf(row.delivered_at);
          day.completed += 1;
          result.perDay.set(isoDay(row.delivered_at), day);
          type.tripsCompleted += 1;
          type.revenue += row.price_amount;
          result.tripsCompleted += 1;
          const trip = row.delivered_at - (row.picked_up_at ?? row.delivered_at);
          tripMs += trip;
          if (row.picked_up_at !== null && row.search_started_at !== null) {
            waitMs += row.picked_up_at - row.search_started_at;
            waits += 1;
          }
          if (row.driver_id !== null) {
            const driver = result.perDriver.get(row.driver_id) ?? {
              trips: 0,
              tripMs: 0,
              ratingSum: 0,
              ratingCount: 0,
            };
            driver.trips += 1;
            driver.tripMs += trip;
            if (row.rating !== null) {
              driver.ratingSum += row.rating;
              driver.ratingCount += 1;
            }
            result.perDriver.set(row.driver_id, driver);
          }
        }
      }
    }
    const minutes = (ms: number, n: number) => (n === 0 ? null : Math.round((ms / n / 60_000) * 10) / 10);
    result.avgTripMinutes = minutes(tripMs, result.tripsCompleted);
    result.avgPickupWaitMinutes = minutes(waitMs, waits);
    return result;
  }

  function expectMatches(figures: Analytics, expected: Recount): void {
    expect(figures.tripsCompleted).toBe(expected.tripsCompleted);
    const failedStops = figures.failedStops;
    expect(failedStops?.byReason).toEqual(
      STOP_FAILURE_REASONS.map((reason) => ({ reason, count: expected.failedByReason.get(reason) ?? 0 })),
    );
    expect(failedStops?.total).toBe([...expected.failedByReason.values()].reduce((sum, n) => sum + n, 0));
    const failing = [...expected.failedByDriver].map(([driverId, reasons]) => ({
      driverId,
      failed: [...reasons.values()].reduce((sum, n) => sum + n, 0),
      reasons,
    }));
    expect(failedStops?.drivers.map((driver) => driver.failed)).toEqual(
      failing
        .map((driver) => driver.failed)
        .sort((a, b) => b - a)
        .slice(0, 10),
    );
    for (const driver of failedStops?.drivers ?? []) {
      const want = failing.find((entry) => entry.driverId === driver.driverId);
      expect(driver.failed).toBe(want?.failed);
      expect(driver.byReason).toEqual(
        STOP_FAILURE_REASONS.map((reason) => ({ reason, count: want?.reasons.get(reason) ?? 0 })),
      );
    }
    expect(figures.avgTripMinutes).toBe(expected.avgTripMinutes);
    expect(figures.avgPickupWaitMinutes).toBe(expected.avgPickupWaitMinutes);
    for (const day of figures.bookingsPerDay) {
      const want = expected.perDay.get(day.day) ?? { count: 0, completed: 0, expired: 0 };
      expect(day).toEqual({ day: day.day, ...want });
    }
    for (const type of figures.byVehicleType) {
      const want = expected.perType.get(type.vehicleType) ?? {
        bookings: 0,
        tripsCompleted: 0,
        cancelled: 0,
        expired: 0,
        revenue: 0,
      };
      expect({
        bookings: type.bookings,
        tripsCompleted: type.tripsCompleted,
        cancelled: type.cancelled,
        expired: type.expired,
        revenue: type.revenue,
      }).toEqual(want);
    }
    const expired = [...expected.perType.values()].reduce((sum, type) => sum + type.expired, 0);
    const created = [...expected.perType.values()].reduce((sum, type) => sum + type.bookings, 0);
    expect(figures.unfilled.expired).toBe(expired);
    expect(figures.unfilled.rate).toBe(created === 0 ? null : Math.round((expired / created) * 1000) / 1000);
    expect(figures.unfilled.byHour).toEqual(expected.expiredByHour.map((count, hour) => ({ hour, count })));
    const cells = [...expected.expiredByCell.values()].sort((a, b) => b - a);
    expect(figures.unfilled.byArea.map((area) => area.count)).toEqual(cells.slice(0, 10));
    for (const area of figures.unfilled.byArea) {
      expect(expected.expiredByCell.get(`${Math.round(area.lat * 20)}:${Math.round(area.lng * 20)}`)).toBe(
        area.count,
      );
    }
    const best = [...expected.perDriver.values()].map((driver) => driver.trips).sort((a, b) => b - a);
    expect(figures.driverPerformance.map((driver) => driver.trips)).toEqual(
      best.slice(0, figures.driverPerformance.length),
    );
    expect(figures.driverPerformance.length).toBe(Math.min(10, expected.perDriver.size));
    for (const driver of figures.driverPerformance) {
      const want = expected.perDriver.get(driver.driverId);
      expect(want).toBeDefined();
      expect(driver.trips).toBe(want?.trips);
      expect(driver.rating).toBe(
        want === undefined || want.ratingCount === 0
          ? null
          : Math.round((want.ratingSum / want.ratingCount) * 100) / 100,
      );
      expect(driver.name.length).toBeGreaterThan(0);
      if (driver.acceptanceRate !== null) {
        expect(driver.acceptanceRate).toBeGreaterThan(0);
        expect(driver.acceptanceRate).toBeLessThanOrEqual(1);
      }
    }
  }

  // First, while today holds this trip alone, so its driver is among the day's top drivers.
  it('counts a live trip from its events, and its rating once', async () => {
    const today = isoDay(Date.now());
    const before = await analytics(today, today);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 0.4) });
    const booking = await book(app, customer.token, { pickup: CITY });
    await waitForOffer(app, driver.token, booking.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);

    const rate = (token: string, payload: Record<string, unknown>) =>
      app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/rating`,
        headers: bearer(token),
        payload,
      });
    // Not before delivery.
    expect((await rate(customer.token, { rating: 5 })).statusCode).toBe(422);

    await driveToDelivered(app, driver.token, booking.id);

    expect((await rate(customer.token, { rating: 6 })).statusCode).toBe(400);
    expect((await rate(customer.token, { rating: 0 })).statusCode).toBe(400);
    const stranger = await newCustomer(app);
    expect((await rate(stranger.token, { rating: 4 })).statusCode).toBe(404);
    expect((await rate(driver.token, { rating: 4 })).statusCode).toBe(403);
    const rated = await rate(customer.token, { rating: 4, comment: 'Careful with the boxes' });
    expect(rated.statusCode).toBe(200);
    expect(rated.json<Booking>().rating).toBe(4);
    const again = await rate(customer.token, { rating: 5 });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('already_rated');

    await waitFor(
      async () => {
        const stats = (
          await app.http.inject({ url: '/v1/driver/stats', headers: bearer(driver.token) })
        ).json<DriverStats>();
        return stats.ratingCount === 1;
      },
      10_000,
      20,
    );
    const stats = (
      await app.http.inject({ url: '/v1/driver/stats', headers: bearer(driver.token) })
    ).json<DriverStats>();
    expect(stats.rating).toBe(4);

    await waitFor(
      async () => (await analytics(today, today)).tripsCompleted === before.tripsCompleted + 1,
      10_000,
      50,
    );
    const after = await analytics(today, today);
    expect(after.bookingsPerDay[0]?.count).toBe((before.bookingsPerDay[0]?.count ?? 0) + 1);
    const row = after.driverPerformance.find((entry) => entry.driverId === driver.user.id);
    expect(row).toMatchObject({ trips: 1, rating: 4, acceptanceRate: 1 });

    // Redelivering every outbox event of the booking changes nothing.
    const outbox = app.platform.router.forId(booking.id).db;
    const events = await outbox
      .selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', booking.id)
      .execute();
    expect(events.length).toBeGreaterThanOrEqual(7);
    for (const event of events) {
      await app.platform.queue.enqueue(OUTBOX_JOB, {
        id: event.id,
        topic: event.topic,
        aggregateId: event.aggregate_id,
        payload: JSON.parse(event.payload) as unknown,
        createdAt: event.created_at,
      });
    }
    await drained(app);
    const repeated = await analytics(today, today);
    expect(repeated.tripsCompleted).toBe(after.tripsCompleted);
    expect(repeated.bookingsPerDay[0]?.count).toBe(after.bookingsPerDay[0]?.count);
    const restats = (
      await app.http.inject({ url: '/v1/driver/stats', headers: bearer(driver.token) })
    ).json<DriverStats>();
    expect(restats.ratingCount).toBe(1);
  });

  it("an expired booking counts as unfilled demand in today's overview and analytics", async () => {
    const today = isoDay(Date.now());
    const overviewNow = async () => {
      await app.platform.cache.delete('admin:overview');
      return (await app.http.inject({ url: '/v1/admin/overview', headers: bearer(admin) })).json<Overview>();
    };
    const before = await overviewNow();
    const figuresBefore = await analytics(today, today);
    const customer = await newCustomer(app);
    const pickup = { ...offset(CITY, 30, 30), address: 'Far end of town' };
    const booking = await book(app, customer.token, { pickup, dropoff: offset(CITY, 33, 30) });
    expect(await app.services.bookingCore.service.expire(booking.id, 'no_driver')).toMatchObject({
      status: 'expired',
    });
    await waitFor(async () => (await overviewNow()).expiredToday === before.expiredToday + 1, 10_000, 50);
    const after = await overviewNow();
    expect(after.expiredRate).toBeGreaterThan(0);
    expect(after.expiredRate).toBeLessThanOrEqual(1);

    const figures = await analytics(today, today);
    expect(figures.unfilled.expired).toBe(figuresBefore.unfilled.expired + 1);
    expect(figures.bookingsPerDay[0]?.expired).toBe((figuresBefore.bookingsPerDay[0]?.expired ?? 0) + 1);
    const hour = new Date(booking.createdAt).getUTCHours();
    expect(figures.unfilled.byHour[hour]).toEqual({
      hour,
      count: (figuresBefore.unfilled.byHour[hour]?.count ?? 0) + 1,
    });
    const area = figures.unfilled.byArea.find(
      (entry) => Math.abs(entry.lat - pickup.lat) <= 0.025 && Math.abs(entry.lng - pickup.lng) <= 0.025,
    );
    expect(area).toMatchObject({ count: 1, address: 'Far end of town' });
  });

  it('counts failed stops by reason and by driver, each once, on the day they failed', async () => {
    const today = isoDay(Date.now());
    const before = await analytics(today, today);
    const customer = await newCustomer(app);
    const post = (token: string, url: string, payload: object = {}) =>
      app.http.inject({ method: 'POST', url, headers: bearer(token), payload });

    /** A booking with these drop-offs, taken to `in_transit` by a driver waiting at its pickup. */
    async function inTransit(at: { lat: number; lng: number }, stops: number) {
      const driver = await onlineDriver(app, { at: offset(at, 0.3) });
      const booking = await book(app, customer.token, {
        pickup: at,
        dropoff: undefined,
        stops: Array.from({ length: stops }, (_, index) => ({ location: offset(at, 1 + index) })),
      });
      await acceptOffer(app, driver.token, booking.id);
      for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
        expect((await post(driver.token, `/v1/bookings/${booking.id}/status`, { status })).statusCode).toBe(
          200,
        );
      }
      return { driver, booking, at };
    }
    /** The driver completes the stop (from its door) or fails it with a reason. */
    async function settle(
      trip: Awaited<ReturnType<typeof inTransit>>,
      seq: number,
      reason: string | null,
    ): Promise<void> {
      const url = `/v1/bookings/${trip.booking.id}/stops/${seq}`;
      if (reason !== null) {
        expect((await post(trip.driver.token, `${url}/fail`, { reason })).statusCode).toBe(200);
        return;
      }
      const door = offset(trip.at, seq);
      expect(
        (await post(trip.driver.token, '/v1/driver/location', { lat: door.lat, lng: door.lng, heading: 0 }))
          .statusCode,
      ).toBe(202);
      expect((await post(trip.driver.token, `${url}/complete`, {})).statusCode).toBe(200);
    }

    const three = await inTransit(offset(CITY, 20, -25), 3);
    await settle(three, 1, 'recipient_absent');
    await settle(three, 2, null);
    await settle(three, 3, 'refused');
    const two = await inTransit(offset(CITY, 22, 25), 2);
    await settle(two, 1, null);
    await settle(two, 2, 'damaged');
    expect((await getBooking(app, customer.token, two.booking.id)).status).toBe('delivered');

    const count = (figures: Analytics, reason: string) =>
      figures.failedStops?.byReason.find((entry) => entry.reason === reason)?.count ?? 0;
    await waitFor(
      async () => (await analytics(today, today)).failedStops?.total === (before.failedStops?.total ?? 0) + 3,
      10_000,
      50,
    );
    const after = await analytics(today, today);
    for (const [reason, added] of [
      ['recipient_absent', 1],
      ['refused', 1],
      ['damaged', 1],
      ['address_not_found', 0],
      ['other', 0],
    ] as const) {
      expect(count(after, reason), reason).toBe(count(before, reason) + added);
    }
    const byId = (id: string) => after.failedStops?.drivers.find((driver) => driver.driverId === id);
    expect(byId(three.driver.user.id)).toMatchObject({
      name: three.driver.user.name,
      failed: 2,
      byReason: [
        { reason: 'recipient_absent', count: 1 },
        { reason: 'refused', count: 1 },
        { reason: 'address_not_found', count: 0 },
        { reason: 'damaged', count: 0 },
        { reason: 'other', count: 0 },
      ],
    });
    expect(byId(two.driver.user.id)).toMatchObject({ failed: 1 });
    expect(byId(two.driver.user.id)?.byReason.find((entry) => entry.reason === 'damaged')?.count).toBe(1);
    // Most failures first.
    const failedCounts = after.failedStops?.drivers.map((driver) => driver.failed) ?? [];
    expect(failedCounts).toEqual([...failedCounts].sort((a, b) => b - a));
    // Nothing for yesterday.
    const yesterday = isoDay(Date.now() - DAY);
    expect((await analytics(yesterday, yesterday)).failedStops?.drivers.map((d) => d.driverId)).not.toContain(
      three.driver.user.id,
    );

    // Redelivering every outbox event of both bookings changes nothing.
    for (const booking of [three.booking, two.booking]) {
      const events = await app.platform.router
        .forId(booking.id)
        .db.selectFrom('outbox')
        .selectAll()
        .where('aggregate_id', '=', booking.id)
        .execute();
      expect(events.some((event) => event.topic === 'booking.stop_changed')).toBe(true);
      for (const event of events) {
        await app.platform.queue.enqueue(OUTBOX_JOB, {
          id: event.id,
          topic: event.topic,
          aggregateId: event.aggregate_id,
          payload: JSON.parse(event.payload) as unknown,
          createdAt: event.created_at,
        });
      }
    }
    await drained(app);
    expect((await analytics(today, today)).failedStops).toEqual(after.failedStops);
  });

  it('matches a brute-force recount of a generated data set, also after a rebuild', async () => {
    await generate('users', 600);
    await generate('drivers', 40);
    await generate('bookings', 2_500);
    const now = Date.now();
    const to = isoDay(now);
    const from = isoDay(now - 25 * DAY);
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to) + DAY;
    const expected = await recount(fromMs, toMs);
    expect(expected.tripsCompleted).toBeGreaterThan(1_500);
    expect(expected.expiredByHour.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(50);

    const figures = await analytics(from, to);
    expect(figures.bookingsPerDay).toHaveLength(26);
    expectMatches(figures, expected);

    // A narrower range counts only its own days.
    const middle = isoDay(now - 10 * DAY);
    expectMatches(
      await analytics(middle, middle),
      await recount(Date.parse(middle), Date.parse(middle) + DAY),
    );

    const report = await app.services.analytics.rebuild();
    // The generated bookings, the delivered live one, the expired one and the two with failed stops.
    expect(report.bookings).toBe(2_504);
    expectMatches(await analytics(from, to), expected);
  });

  it('answers a range asked again from the cache, as it answered first', async () => {
    const today = isoDay(Date.now());
    const first = await analytics(today, today);
    const again = await app.http.inject({
      url: `/v1/admin/analytics?from=${today}&to=${today}`,
      headers: bearer(admin),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json<Analytics>()).toEqual(first);
  });

  it('refuses bad ranges', async () => {
    for (const query of [
      'from=2026-13-01',
      'from=2026-02-10&to=2026-02-01',
      'from=2020-01-01&to=2026-01-01',
      'to=yesterday',
    ]) {
      const response = await app.http.inject({ url: `/v1/admin/analytics?${query}`, headers: bearer(admin) });
      expect(response.statusCode).toBe(400);
    }
    const customer = await newCustomer(app);
    const forbidden = await app.http.inject({ url: '/v1/admin/analytics', headers: bearer(customer.token) });
    expect(forbidden.statusCode).toBe(403);
  });
});
