/**
 * Handover PINs through the public API (contract v1.1, ADR 0028): made at each
 * assignment, read by the customer, typed by the driver at the pickup and each
 * stop, locked after five wrong tries until an admin unlocks them, and never
 * shown to the driver, in an event or in a log line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Ack,
  AuthResponse,
  Booking,
  BookingEvent,
  BookingPins,
  Coordinates,
  StopRequest,
} from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { createLogger } from '../../lib/logger';
import { bearer, signInAdmin } from '../../../test/support/factories';
import {
  CITY,
  acceptOffer,
  book,
  getBooking,
  newCustomer,
  offset,
  onlineDriver,
} from '../../../test/support/fleet';
import { baseUrlOf, connectSocket } from '../../../test/support/sockets';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';

describe(`handover PINs (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;
  const logText: string[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('pins', {
      // Bookings are made before their driver is online: the wave after the empty first one comes soon.
      env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30', DISPATCH_EMPTY_WAVE_DELAY_MS: '2000' },
    });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await env.start({ logger: createLogger('trace', stream) });
    await app.listen();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  function post(token: string, url: string, payload: object = {}) {
    return app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
  }

  async function driveTo(driver: AuthResponse, at: Coordinates): Promise<void> {
    const located = await post(driver.token, '/v1/driver/location', { lat: at.lat, lng: at.lng, heading: 0 });
    expect(located.statusCode).toBe(202);
  }

  async function pinsOf(token: string, bookingId: string): Promise<BookingPins> {
    const response = await app.http.inject({ url: `/v1/bookings/${bookingId}/pins`, headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json<BookingPins>();
  }

  async function eventsOf(token: string, bookingId: string): Promise<BookingEvent[]> {
    const response = await app.http.inject({
      url: `/v1/bookings/${bookingId}/events`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: BookingEvent[] }>().items;
  }

  function setStatus(driver: AuthResponse, bookingId: string, status: string, pin?: string) {
    return post(
      driver.token,
      `/v1/bookings/${bookingId}/status`,
      pin === undefined ? { status } : { status, pin },
    );
  }

  /** A PIN that is not `pin`. */
  function wrong(pin: string): string {
    return String((Number(pin) + 1) % 10_000).padStart(4, '0');
  }

  /** A booking with PINs and these stops at `at`, accepted by a driver who then arrives at the pickup. */
  async function assigned(at: Coordinates, stops: StopRequest[], arrive = true) {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(at, 0.1) });
    const booking = await book(app, customer.token, {
      pickup: at,
      dropoff: undefined,
      stops,
      handoverPins: true,
    });
    const accepted = await acceptOffer(app, driver.token, booking.id);
    for (const status of arrive ? ['en_route_to_pickup', 'arrived_at_pickup'] : []) {
      expect((await setStatus(driver, booking.id, status)).statusCode).toBe(200);
    }
    return { customer, driver, booking, accepted };
  }

  it('a booking with PINs gets a PIN per handover at assignment; its customer and admins read them, nobody else', async () => {
    const at = offset(CITY, 60, 60);
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      pickup: at,
      dropoff: undefined,
      stops: [{ location: offset(at, 2) }, { location: offset(at, 4) }],
      handoverPins: true,
    });
    expect(booking.handoverPins).toBe(true);
    expect(await pinsOf(customer.token, booking.id)).toEqual({ pickup: null, stops: [], locked: [] });

    const driver = await onlineDriver(app, { at: offset(at, 0.1) });
    const accepted = await acceptOffer(app, driver.token, booking.id);
    const pins = await pinsOf(customer.token, booking.id);
    expect(pins.pickup).toMatch(/^[0-9]{4}$/);
    expect(pins.stops.map((stop) => stop.seq)).toEqual([1, 2]);
    expect(pins.stops.every((stop) => /^[0-9]{4}$/.test(stop.pin))).toBe(true);
    expect(pins.locked).toEqual([]);
    expect(await pinsOf(admin, booking.id)).toEqual(pins);

    const asDriver = await app.http.inject({
      url: `/v1/bookings/${booking.id}/pins`,
      headers: bearer(driver.token),
    });
    expect(asDriver.statusCode).toBe(403);
    const stranger = await newCustomer(app);
    const asStranger = await app.http.inject({
      url: `/v1/bookings/${booking.id}/pins`,
      headers: bearer(stranger.token),
    });
    expect(asStranger.statusCode).toBe(404);

    // What the driver is sent never carries a PIN.
    const driverView = JSON.stringify([accepted, await getBooking(app, driver.token, booking.id)]);
    for (const pin of [pins.pickup ?? '', ...pins.stops.map((stop) => stop.pin)]) {
      expect(driverView).not.toContain(`"${pin}"`);
    }
    expect(driverView).not.toContain('"pin"');

    // Stored: hashed for checking, never as typed.
    const rows = await app.platform.router
      .forId(booking.id)
      .db.selectFrom('booking_pins')
      .selectAll()
      .where('booking_id', '=', booking.id)
      .execute();
    expect(rows.map((row) => row.handover).sort()).toEqual([0, 1, 2]);
    for (const row of rows) {
      expect(row.pin_hash).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);
    }
  });

  it('goods_collected needs the pickup PIN: missing or wrong is 422 invalid_pin and changes nothing; the right one moves on', async () => {
    const at = offset(CITY, 62, 60);
    const { customer, driver, booking } = await assigned(at, [{ location: offset(at, 2) }]);
    const pins = await pinsOf(customer.token, booking.id);
    const pickup = pins.pickup ?? '';
    const before = await getBooking(app, driver.token, booking.id);

    const missing = await setStatus(driver, booking.id, 'goods_collected');
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({
      error: { code: 'invalid_pin', details: { handover: 0, triesLeft: 5 } },
    });
    const wrongPin = await setStatus(driver, booking.id, 'goods_collected', wrong(pickup));
    expect(wrongPin.statusCode).toBe(422);
    expect(wrongPin.json()).toMatchObject({
      error: { code: 'invalid_pin', details: { handover: 0, triesLeft: 4 } },
    });
    const malformed = await setStatus(driver, booking.id, 'goods_collected', '12a4');
    expect(malformed.statusCode).toBe(400);

    const unchanged = await getBooking(app, driver.token, booking.id);
    expect(unchanged.status).toBe('arrived_at_pickup');
    // The wrong PIN is an audit event of its own; nothing else moved.
    expect(unchanged.seq).toBe(before.seq + 1);
    const audit = (await eventsOf(admin, booking.id)).at(-1);
    expect(audit).toMatchObject({
      seq: before.seq + 1,
      type: 'pin_rejected',
      status: 'arrived_at_pickup',
      actor: { role: 'driver', id: driver.user.id },
    });
    expect(audit?.stopSeq).toBeUndefined();

    const collected = await setStatus(driver, booking.id, 'goods_collected', pickup);
    expect(collected.statusCode).toBe(200);
    expect(collected.json<Booking>().status).toBe('goods_collected');
  });

  it('goods_collected with PINs farther than 300 m from the pickup is 422 too_far_from_stop, before any PIN counts', async () => {
    const at = offset(CITY, 64, 60);
    const { customer, driver, booking } = await assigned(at, [{ location: offset(at, 2) }]);
    const pins = await pinsOf(customer.token, booking.id);
    await driveTo(driver, offset(at, 0.5));
    const far = await setStatus(driver, booking.id, 'goods_collected', wrong(pins.pickup ?? ''));
    expect(far.statusCode).toBe(422);
    expect(far.json()).toMatchObject({ error: { code: 'too_far_from_stop' } });
    expect((await eventsOf(admin, booking.id)).some((event) => event.type === 'pin_rejected')).toBe(false);
  });

  it('five wrong PINs lock a stop: the sixth try is 423 even with the right PIN, until an admin unlocks it', async () => {
    const at = offset(CITY, 66, 60);
    const stop = offset(at, 2);
    const { customer, driver, booking } = await assigned(at, [
      { location: stop },
      { location: offset(at, 3) },
    ]);
    const pins = await pinsOf(customer.token, booking.id);
    expect((await setStatus(driver, booking.id, 'goods_collected', pins.pickup ?? '')).statusCode).toBe(200);
    expect((await setStatus(driver, booking.id, 'in_transit')).statusCode).toBe(200);
    await driveTo(driver, stop);
    expect((await post(driver.token, `/v1/bookings/${booking.id}/stops/1/arrive`)).statusCode).toBe(200);
    const stopPin = pins.stops.find((entry) => entry.seq === 1)?.pin ?? '';
    const complete = (pin: string) =>
      post(driver.token, `/v1/bookings/${booking.id}/stops/1/complete`, { pin, recipientName: 'Asha' });

    const missing = await post(driver.token, `/v1/bookings/${booking.id}/stops/1/complete`, {});
    expect(missing.json()).toMatchObject({ error: { code: 'invalid_pin', details: { handover: 1 } } });
    const tries: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const answer = await complete(wrong(stopPin));
      expect(answer.statusCode).toBe(422);
      tries.push(answer.json<{ error: { details: { triesLeft: number } } }>().error.details.triesLeft);
    }
    expect(tries).toEqual([4, 3, 2, 1, 0]);
    const locked = await complete(stopPin);
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ error: { code: 'pin_locked', details: { handover: 1 } } });
    expect((await pinsOf(customer.token, booking.id)).locked).toEqual([1]);
    expect((await getBooking(app, customer.token, booking.id)).stops?.[0]?.status).toBe('arrived');

    const notAdmin = await post(customer.token, `/v1/admin/bookings/${booking.id}/pins/unlock`, {
      handover: 1,
    });
    expect(notAdmin.statusCode).toBe(403);
    const unlocked = await post(admin, `/v1/admin/bookings/${booking.id}/pins/unlock`, { handover: 1 });
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json<BookingPins>()).toEqual({ ...pins, locked: [] });
    const unknown = await post(admin, `/v1/admin/bookings/1234567890123/pins/unlock`, {});
    expect(unknown.statusCode).toBe(404);

    const done = await complete(stopPin);
    expect(done.statusCode).toBe(200);
    expect(done.json<Booking>().stops?.[0]).toMatchObject({
      status: 'delivered',
      proof: { recipientName: 'Asha' },
    });

    // Every wrong try, the lock and the unlock are booking events, each with its own seq, in order.
    const events = await eventsOf(customer.token, booking.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
    const audit = events.filter((event) => event.type?.startsWith('pin'));
    expect(audit.map((event) => [event.type, event.stopSeq, event.actor.role])).toEqual([
      ['pin_rejected', 1, 'driver'],
      ['pin_rejected', 1, 'driver'],
      ['pin_rejected', 1, 'driver'],
      ['pin_rejected', 1, 'driver'],
      ['pin_locked', 1, 'driver'],
      ['pins_unlocked', 1, 'admin'],
    ]);
  });

  it('a release makes the PINs stop working; the next assignment makes new ones', async () => {
    const at = offset(CITY, 68, 60);
    const { customer, driver, booking } = await assigned(at, [{ location: offset(at, 2) }], false);
    const first = await pinsOf(customer.token, booking.id);
    expect((await setStatus(driver, booking.id, 'searching')).statusCode).toBe(200);
    expect(await pinsOf(customer.token, booking.id)).toEqual({ pickup: null, stops: [], locked: [] });

    const next = await onlineDriver(app, { at: offset(at, 0.1) });
    await acceptOffer(app, next.token, booking.id);
    const second = await pinsOf(customer.token, booking.id);
    expect(second.pickup).toMatch(/^[0-9]{4}$/);
    expect(second.stops).toHaveLength(1);
    // Two draws of two 4-digit PINs are the same once in 10^8.
    expect(second).not.toEqual(first);
  });

  it('a one-stop booking with PINs is delivered by a v1 `delivered` with the stop PIN; over a socket too', async () => {
    const at = offset(CITY, 70, 60);
    const drop = offset(at, 2);
    const { customer, driver, booking } = await assigned(at, [{ location: drop }]);
    const pins = await pinsOf(customer.token, booking.id);
    const socket = await connectSocket(baseUrlOf(app), driver.token);
    try {
      const send = (status: string, pin?: string) =>
        socket.socket.timeout(10_000).emitWithAck('bookingStatusChanged', {
          bookingId: booking.id,
          status: status as Booking['status'],
          ...(pin === undefined ? {} : { pin }),
        }) as Promise<Ack<{ booking: Booking }>>;
      const refused = await send('goods_collected', wrong(pins.pickup ?? ''));
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_pin' } });
      expect(await send('goods_collected', pins.pickup ?? '')).toMatchObject({ ok: true });
      expect(await send('in_transit')).toMatchObject({ ok: true });
    } finally {
      socket.close();
    }
    await driveTo(driver, drop);
    const noPin = await setStatus(driver, booking.id, 'delivered');
    expect(noPin.json()).toMatchObject({ error: { code: 'invalid_pin', details: { handover: 1 } } });
    const delivered = await setStatus(driver, booking.id, 'delivered', pins.stops[0]?.pin);
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json<Booking>()).toMatchObject({
      status: 'delivered',
      stops: [{ status: 'delivered' }],
    });
  });

  it('a v1 booking has no PINs and moves as before; HANDOVER_PINS_DEFAULT=on gives them to bookings that do not say', async () => {
    const at = offset(CITY, 60, 80);
    const customer = await newCustomer(app);
    const plain = await book(app, customer.token, { pickup: at, dropoff: offset(at, 2) });
    expect(plain.handoverPins).toBe(false);
    const driver = await onlineDriver(app, { at: offset(at, 0.1) });
    await acceptOffer(app, driver.token, plain.id);
    expect(await pinsOf(customer.token, plain.id)).toEqual({ pickup: null, stops: [], locked: [] });
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected']) {
      expect((await setStatus(driver, plain.id, status)).statusCode).toBe(200);
    }

    const strict = await env.start({ env: { HANDOVER_PINS_DEFAULT: 'on' } });
    const answer = await strict.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(customer.token),
      payload: { pickup: at, dropoff: offset(at, 2), vehicleType: 'van' },
    });
    expect(answer.json<Booking>().handoverPins).toBe(true);
    const optedOut = await strict.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(customer.token),
      payload: { pickup: at, dropoff: offset(at, 2), vehicleType: 'van', handoverPins: false },
    });
    expect(optedOut.json<Booking>().handoverPins).toBe(false);
    await strict.close();
  });

  it('no PIN ever reaches the log', async () => {
    const pins: string[] = [];
    for (const bookingId of await pinnedBookings()) {
      const read = await pinsOf(admin, bookingId);
      pins.push(...[read.pickup, ...read.stops.map((stop) => stop.pin)].filter((pin) => pin !== null));
    }
    expect(pins.length).toBeGreaterThan(5);
    const log = logText.join('');
    expect(log.length).toBeGreaterThan(10_000);
    for (const pin of pins) {
      expect(log).not.toContain(`"${pin}"`);
      expect(log).not.toContain(`"pin":`);
    }
  });

  /** Every booking of this file's shards that has PINs now. */
  async function pinnedBookings(): Promise<string[]> {
    const ids: string[] = [];
    for (const shard of app.platform.router.shards) {
      const rows = await shard.db.selectFrom('booking_pins').select('booking_id').distinct().execute();
      ids.push(...rows.map((row) => row.booking_id));
    }
    return ids;
  }
});
