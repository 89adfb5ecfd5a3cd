import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booking } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import {
  CITY,
  book,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
  waitUntilMatchable,
} from '../../../test/support/fleet';
import { drained } from '../../../test/support/drained';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';

const DAY = 86_400_000;

/** Every roll-up counter, keyed by table, row and counter: what the tables hold or a recount says they should. */
type Figures = Map<string, number>;

function add(figures: Figures, key: string, value: number): void {
  if (value !== 0) {
    figures.set(key, (figures.get(key) ?? 0) + value);
  }
}

/** What the roll-up tables hold, summed over every shard (zero counters left out). */
async function rollupFigures(app: LoadlineApp): Promise<Figures> {
  const figures: Figures = new Map();
  for (const shard of app.platform.router.shards) {
    for (const row of await shard.db.selectFrom('booking_daily').selectAll().execute()) {
      const { day, vehicle_type: type, ...counters } = row;
      for (const [name, value] of Object.entries(counters)) {
        add(figures, `booking ${day} ${type} ${name}`, value);
      }
    }
    for (const row of await shard.db.selectFrom('driver_daily').selectAll().execute()) {
      const { day, driver_id: driver, ...counters } = row;
      for (const [name, value] of Object.entries(counters)) {
        add(figures, `driver ${day} ${driver} ${name}`, value);
      }
    }
    for (const row of await shard.db.selectFrom('driver_weekly').selectAll().execute()) {
      const { week, driver_id: driver, ...counters } = row;
      for (const [name, value] of Object.entries(counters)) {
        add(figures, `driver week ${week} ${driver} ${name}`, value);
      }
    }
    for (const row of await shard.db.selectFrom('stop_failure_daily').selectAll().execute()) {
      add(figures, `failure ${row.day} ${row.driver_id} ${row.reason}`, row.failed);
    }
    for (const row of await shard.db.selectFrom('unfilled_hourly').selectAll().execute()) {
      add(figures, `unfilled ${row.day} hour ${row.hour}`, row.expired);
    }
    for (const row of await shard.db.selectFrom('unfilled_areas').selectAll().execute()) {
      add(figures, `unfilled ${row.day} area ${row.cell_lat}:${row.cell_lng}`, row.expired);
    }
    for (const row of await shard.db
      .selectFrom('drivers')
      .select(['user_id', 'rating_sum', 'rating_count'])
      .execute()) {
      add(figures, `rating ${row.user_id} sum`, row.rating_sum);
      add(figures, `rating ${row.user_id} count`, row.rating_count);
    }
  }
  return figures;
}

/** The same counters recounted from every booking row, independently of the roll-ups. */
async function recountFigures(app: LoadlineApp): Promise<Figures> {
  const figures: Figures = new Map();
  const dayOf = (ms: number) => Math.floor(ms / DAY);
  // Monday-to-Sunday weeks: day 0, 1970-01-01, was a Thursday.
  const weekOf = (day: number) => Math.floor((day + 3) / 7);
  for (const shard of app.platform.router.shards) {
    // Each failed stop, for the booking's driver on the day it failed.
    for (const stop of await shard.db
      .selectFrom('booking_stops')
      .innerJoin('bookings', 'bookings.id', 'booking_stops.booking_id')
      .select(['bookings.driver_id', 'booking_stops.failure_reason', 'booking_stops.completed_at'])
      .where('booking_stops.status', '=', 'failed')
      .execute()) {
      add(
        figures,
        `failure ${dayOf(stop.completed_at ?? 0)} ${stop.driver_id ?? 'none'} ${stop.failure_reason ?? 'none'}`,
        1,
      );
    }
    for (const row of await shard.db.selectFrom('bookings').selectAll().execute()) {
      const type = row.vehicle_type;
      add(figures, `booking ${dayOf(row.created_at)} ${type} created`, 1);
      if (row.status === 'cancelled') {
        add(figures, `booking ${dayOf(row.cancelled_at ?? row.updated_at)} ${type} cancelled`, 1);
      }
      if (row.status === 'expired') {
        add(figures, `booking ${dayOf(row.updated_at)} ${type} expired`, 1);
        const made = dayOf(row.created_at);
        add(figures, `unfilled ${made} hour ${new Date(row.created_at).getUTCHours()}`, 1);
        add(
          figures,
          `unfilled ${made} area ${Math.round(row.pickup_lat * 20)}:${Math.round(row.pickup_lng * 20)}`,
          1,
        );
      }
      if (row.status !== 'delivered') {
        continue;
      }
      const deliveredAt = row.delivered_at ?? row.updated_at;
      const day = dayOf(deliveredAt);
      const trip = row.picked_up_at === null ? null : deliveredAt - row.picked_up_at;
      const wait =
        row.picked_up_at === null || row.search_started_at === null
          ? null
          : row.picked_up_at - row.search_started_at;
      add(figures, `booking ${day} ${type} delivered`, 1);
      add(figures, `booking ${day} ${type} revenue`, row.price_amount);
      add(figures, `booking ${day} ${type} trip_ms`, trip ?? 0);
      add(figures, `booking ${day} ${type} trip_count`, trip === null ? 0 : 1);
      add(figures, `booking ${day} ${type} wait_ms`, wait ?? 0);
      add(figures, `booking ${day} ${type} wait_count`, wait === null ? 0 : 1);
      if (row.driver_id === null) {
        continue;
      }
      // The driver's figures per day and, summed, per week.
      for (const period of [`${day}`, `week ${weekOf(day)}`]) {
        add(figures, `driver ${period} ${row.driver_id} trips`, 1);
        add(figures, `driver ${period} ${row.driver_id} trip_ms`, trip ?? 0);
        add(figures, `driver ${period} ${row.driver_id} earnings`, row.price_amount);
        if (row.rating !== null) {
          add(figures, `driver ${period} ${row.driver_id} rating_sum`, row.rating);
          add(figures, `driver ${period} ${row.driver_id} rating_count`, 1);
        }
      }
      if (row.rating !== null) {
        add(figures, `rating ${row.driver_id} sum`, row.rating);
        add(figures, `rating ${row.driver_id} count`, 1);
      }
    }
  }
  return figures;
}

async function bookingCount(app: LoadlineApp): Promise<number> {
  let total = 0;
  for (const shard of app.platform.router.shards) {
    const row = await shard.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    total += Number(row.n);
  }
  return total;
}

function sorted(figures: Figures): [string, number][] {
  return [...figures].sort(([a], [b]) => a.localeCompare(b));
}

describe(`analytics rebuild (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('rebuild', {
      env: { RATE_LIMITS: 'off', GENERATION_CHUNK_SIZE: '200', GENERATION_HISTORY_DAYS: '10' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function post(token: string, url: string, payload: Record<string, unknown> = {}): Promise<void> {
    const response = await app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
    if (response.statusCode !== 200) {
      throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    }
  }

  /** A booking the driver accepted and took as far as `in_transit` (with these drop-offs, else one). */
  async function inTransit(customer: string, driver: string, stops?: number): Promise<Booking> {
    const booking = await book(
      app,
      customer,
      stops === undefined
        ? { pickup: CITY }
        : {
            pickup: CITY,
            dropoff: undefined,
            stops: Array.from({ length: stops }, (_, index) => ({ location: offset(CITY, 2 + index) })),
          },
    );
    await waitForOffer(app, driver, booking.id);
    await post(driver, `/v1/driver/offers/${booking.id}/accept`);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      await post(driver, `/v1/bookings/${booking.id}/status`, { status });
    }
    return booking;
  }

  async function deliverAndRate(customer: string, driver: string, bookingId: string): Promise<void> {
    await post(driver, `/v1/bookings/${bookingId}/status`, { status: 'delivered' });
    await post(customer, `/v1/bookings/${bookingId}/rating`, { rating: 4 });
  }

  /** The driver fails every stop (no need to be there to fail one), which delivers the booking. */
  async function failStops(driver: string, booking: Booking): Promise<void> {
    const reasons = ['recipient_absent', 'refused', 'damaged'];
    for (const stop of booking.stops ?? []) {
      await post(driver, `/v1/bookings/${booking.id}/stops/${stop.seq}/fail`, {
        reason: reasons[stop.seq % reasons.length],
      });
    }
  }

  async function bookAndCancel(customer: string): Promise<void> {
    const booking = await book(app, customer, { pickup: offset(CITY, 30) });
    await post(customer, `/v1/bookings/${booking.id}/cancel`);
  }

  /** A booking no driver took: it expires (unfilled demand where it was asked for). */
  async function bookAndExpire(customer: string): Promise<void> {
    const booking = await book(app, customer, {
      pickup: { ...offset(CITY, 40, 40), address: 'Out of reach' },
    });
    await app.services.bookingCore.service.expire(booking.id, 'no_driver');
  }

  it('counts events committed while the workers were stopped once, when they run after a rebuild', async () => {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 0.4) });
    const booking = await inTransit(customer.token, driver.token);
    const other = await onlineDriver(app, { at: offset(CITY, 0.6) });
    const twoStops = await inTransit(customer.token, other.token, 2);
    await drained(app);

    // The documented procedure: stop the workers, rebuild, start them again.
    await app.platform.relay.stop();
    await deliverAndRate(customer.token, driver.token, booking.id);
    await failStops(other.token, twoStops);
    await bookAndCancel(customer.token);
    await bookAndExpire(customer.token);
    const report = await app.services.analytics.rebuild();
    expect(report.bookings).toBe(4);
    expect(report.stopFailureRows).toBe(2);
    expect(report.unfilledBookings).toBe(1);
    app.platform.relay.start();
    await drained(app);

    const figures = await rollupFigures(app);
    expect(figures.get(`rating ${driver.user.id} count`)).toBe(1);
    expect([...figures.keys()].filter((key) => key.startsWith(`failure `))).toHaveLength(2);
    expect([...figures.keys()].filter((key) => key.startsWith(`unfilled `))).toHaveLength(2);
    expect(sorted(figures)).toEqual(sorted(await recountFigures(app)));
  });

  it('is exact when it runs while the consumers count events', async () => {
    for (const [entity, count] of [
      ['users', 300],
      ['drivers', 20],
      ['bookings', 400],
    ] as const) {
      const job = await app.services.generation.service.start(entity, count);
      await waitFor(
        async () => (await app.services.generation.service.status(job.id)).state === 'completed',
        60_000,
        50,
      );
    }
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 0.5) });
    await drained(app);

    // Committed as the rebuild starts: the consumers count these while it empties the shards.
    await bookAndCancel(customer.token);
    const before = await bookingCount(app);
    let pages = 0;
    const report = await app.services.analytics.rebuild({
      pageSize: 40,
      // Between pages, the consumers count a booking made and cancelled and a trip delivered and rated;
      // every third page, a trip whose two stops failed; every fourth, a booking that expired.
      onProgress: async () => {
        pages += 1;
        await bookAndCancel(customer.token);
        if (pages % 4 === 0) {
          await bookAndExpire(customer.token);
        }
        const booking = await inTransit(customer.token, driver.token);
        await deliverAndRate(customer.token, driver.token, booking.id);
        // A trip that ends frees its driver through its events, which run beside the rebuild; the next
        // trip waits for that, or its first wave would pass the driver by.
        await waitUntilMatchable(app, driver.user.id);
        if (pages % 3 === 0) {
          await failStops(driver.token, await inTransit(customer.token, driver.token, 2));
          await waitUntilMatchable(app, driver.user.id);
        }
      },
    });
    expect(pages).toBeGreaterThan(10);
    expect(report.bookings).toBeGreaterThanOrEqual(before);
    await drained(app);

    const figures = await rollupFigures(app);
    expect(figures.get(`rating ${driver.user.id} count`)).toBe(pages);
    expect(sorted(figures)).toEqual(sorted(await recountFigures(app)));
  }, 60_000);
});
