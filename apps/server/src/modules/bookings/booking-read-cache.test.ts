/**
 * The booking read cache (ADR 0030): `GET /v1/bookings/:id` and its tracking
 * answer warm reads from the shared cache, and a read right after any
 * acknowledged change never shows the state before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, Booking, BookingPins, Coordinates } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, signInAdmin } from '../../../test/support/factories';
import { CITY, acceptOffer, book, newCustomer, offset, onlineDriver } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { StatementLog } from '../../../test/support/statement-log';
import { tier } from '../../../test/support/tier';

describe(`the booking read cache (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;
  const log = new StatementLog();

  beforeAll(async () => {
    env = await TestEnvironment.create('readcache', {
      // Bookings are made before their driver is online: the wave after the empty first one comes soon.
      env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30', DISPATCH_EMPTY_WAVE_DELAY_MS: '2000' },
    });
    app = await env.start();
    admin = await signInAdmin(app);
    const shard = app.platform.router.shards[0];
    if (shard === undefined) {
      throw new Error('no shard');
    }
    // Every shard's executor shares the prototype the log patches.
    log.install(shard.db.getExecutor());
  });

  afterAll(async () => {
    log.uninstall();
    await env.destroy();
  });

  function post(token: string, url: string, payload: object = {}) {
    return app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
  }

  async function read(token: string, bookingId: string): Promise<Booking> {
    const response = await app.http.inject({ url: `/v1/bookings/${bookingId}`, headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json<Booking>();
  }

  /** Makes a change through the API and reads the booking at once, as its customer and as its driver. */
  async function changeThenRead(
    what: string,
    change: () => ReturnType<typeof post>,
    readers: { customer: AuthResponse; driver: AuthResponse | null },
  ): Promise<Booking> {
    const answer = await change();
    expect(answer.statusCode, what).toBe(200);
    const acked = answer.json<Booking>();
    expect(await read(readers.customer.token, acked.id), what).toEqual(acked);
    const tracking = await app.http.inject({
      url: `/v1/bookings/${acked.id}/tracking`,
      headers: bearer(readers.customer.token),
    });
    expect(tracking.json<{ status: string }>().status, what).toBe(acked.status);
    if (readers.driver !== null) {
      expect(await read(readers.driver.token, acked.id), what).toEqual(acked);
    }
    return acked;
  }

  /** Changes a presented column straight on the shard, behind the app's back. */
  async function changeBehindTheApp(bookingId: string, description: string): Promise<void> {
    await app.platform.router
      .forId(bookingId)
      .db.updateTable('bookings')
      .set({ goods_description: description, goods_weight_kg: 10 })
      .where('id', '=', bookingId)
      .execute();
  }

  it('a warm read comes from the cache, not the shard; the next acknowledged change replaces it', async () => {
    const at = offset(CITY, -70, 40);
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 3) });
    expect(await read(customer.token, booking.id)).toEqual(booking);

    await changeBehindTheApp(booking.id, 'Changed on the shard');
    // Served from the cache: the shard's new goods are not read.
    expect((await read(customer.token, booking.id)).goods).toBeNull();

    const driver = await onlineDriver(app, { at: offset(at, 0.2) });
    const accepted = await acceptOffer(app, driver.token, booking.id);
    const after = await read(customer.token, booking.id);
    expect(after).toEqual(accepted);
    expect(after).toMatchObject({
      status: 'driver_assigned',
      goods: { description: 'Changed on the shard' },
    });
  });

  it('tracking alone warms the cache: after its first read, polling it sends no SQL', async () => {
    const at = offset(CITY, -72, 40);
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 3) });
    const track = () =>
      app.http.inject({ url: `/v1/bookings/${booking.id}/tracking`, headers: bearer(customer.token) });
    // As after the entry's expiry: creation left the booking cached.
    await app.platform.cache.delete(`booking:${booking.id}`);

    const first = await log.during(track);
    expect(first.result.statusCode).toBe(200);
    expect(first.statements.length).toBeGreaterThan(0);
    for (let poll = 0; poll < 3; poll += 1) {
      const again = await log.during(track);
      expect(again.result.json()).toEqual(first.result.json());
      expect(again.statements).toEqual([]);
    }
    // And the booking's own read is warm too.
    expect((await log.during(() => read(customer.token, booking.id))).statements).toEqual([]);
  });

  it('the read after an acknowledged change is warm: each change leaves its answer cached', async () => {
    const at = offset(CITY, -95, 40);
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 3) });
    const warmRead = async (token: string, expected: Booking) => {
      const { result, statements } = await log.during(() => read(token, booking.id));
      expect(result).toEqual(expected);
      // The booking's statements (a caller's first request in a while reads its session).
      expect(statements.filter((statement) => statement.includes('booking'))).toEqual([]);
    };
    await warmRead(customer.token, booking);
    const driver = await onlineDriver(app, { at: offset(at, 0.2) });
    const accepted = await acceptOffer(app, driver.token, booking.id);
    await warmRead(customer.token, accepted);
    const moved = await post(driver.token, `/v1/bookings/${booking.id}/status`, {
      status: 'en_route_to_pickup',
    });
    expect(moved.statusCode).toBe(200);
    await warmRead(driver.token, moved.json<Booking>());
    const cancelled = await post(customer.token, `/v1/bookings/${booking.id}/cancel`, {
      reason: 'plans changed',
    });
    expect(cancelled.statusCode).toBe(200);
    await warmRead(customer.token, cancelled.json<Booking>());
  });

  it('a read right after any acknowledged change never shows the state before it', async () => {
    const at = offset(CITY, -72, 40);
    const stops: Coordinates[] = [offset(at, 1), offset(at, 2)];
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      pickup: at,
      dropoff: undefined,
      stops: stops.map((location) => ({ location })),
      handoverPins: true,
    });
    await read(customer.token, booking.id);
    const driver = await onlineDriver(app, { at: offset(at, 0.1) });
    const accepted = await acceptOffer(app, driver.token, booking.id);
    expect(await read(customer.token, booking.id)).toEqual(accepted);
    const readers = { customer, driver };
    const pins = (
      await app.http.inject({ url: `/v1/bookings/${booking.id}/pins`, headers: bearer(customer.token) })
    ).json<BookingPins>();
    const status = (to: string, pin?: string) => () =>
      post(
        driver.token,
        `/v1/bookings/${booking.id}/status`,
        pin === undefined ? { status: to } : { status: to, pin },
      );
    const stop =
      (seq: number, action: string, body: object = {}) =>
      () =>
        post(driver.token, `/v1/bookings/${booking.id}/stops/${seq}/${action}`, body);
    const driveTo = (point: Coordinates) =>
      post(driver.token, '/v1/driver/location', { lat: point.lat, lng: point.lng, heading: 0 });

    await changeThenRead('en route', status('en_route_to_pickup'), readers);
    await changeThenRead('arrived', status('arrived_at_pickup'), readers);
    // A wrong PIN is an event of its own: the booking's seq moves, and a read shows it.
    const before = await read(customer.token, booking.id);
    const wrong = await post(driver.token, `/v1/bookings/${booking.id}/status`, {
      status: 'goods_collected',
      pin: pins.pickup === '0000' ? '0001' : '0000',
    });
    expect(wrong.statusCode).toBe(422);
    expect((await read(customer.token, booking.id)).seq).toBe(before.seq + 1);
    await changeThenRead('collected', status('goods_collected', pins.pickup ?? ''), readers);
    await changeThenRead('in transit', status('in_transit'), readers);
    await driveTo(stops[0] ?? at);
    await changeThenRead('stop 1 arrived', stop(1, 'arrive'), readers);
    await changeThenRead('stop 1 completed', stop(1, 'complete', { pin: pins.stops[0]?.pin }), readers);
    await driveTo(stops[1] ?? at);
    const delivered = await changeThenRead('stop 2 failed', stop(2, 'fail', { reason: 'refused' }), readers);
    expect(delivered.status).toBe('delivered');
    const rated = await changeThenRead(
      'rated',
      () => post(customer.token, `/v1/bookings/${booking.id}/rating`, { rating: 4 }),
      { customer, driver: null },
    );
    expect(rated.rating).toBe(4);
    expect(await read(admin, booking.id)).toEqual(rated);
  });

  it('a cached booking is still read only by its customer, its driver while it holds it, and admins', async () => {
    const at = offset(CITY, -74, 40);
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 3) });
    const driver = await onlineDriver(app, { at: offset(at, 0.1) });
    await acceptOffer(app, driver.token, booking.id);
    expect((await read(driver.token, booking.id)).driverId).toBe(driver.user.id);
    const stranger = await newCustomer(app);
    const other = await onlineDriver(app, { at: offset(at, 5) });
    for (const token of [stranger.token, other.token]) {
      const refused = await app.http.inject({ url: `/v1/bookings/${booking.id}`, headers: bearer(token) });
      expect(refused.statusCode).toBe(404);
    }
    const released = await changeThenRead(
      'released',
      () => post(driver.token, `/v1/bookings/${booking.id}/status`, { status: 'searching' }),
      { customer, driver: null },
    );
    expect(released).toMatchObject({ status: 'searching', driverId: null });
    const formerDriver = await app.http.inject({
      url: `/v1/bookings/${booking.id}`,
      headers: bearer(driver.token),
    });
    expect(formerDriver.statusCode).toBe(404);
    const cancelled = await changeThenRead(
      'cancelled',
      () => post(customer.token, `/v1/bookings/${booking.id}/cancel`, { reason: 'Plans changed' }),
      { customer, driver: null },
    );
    expect(cancelled.status).toBe('cancelled');
  });
});
