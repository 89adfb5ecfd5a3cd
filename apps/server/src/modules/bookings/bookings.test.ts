/**
 * Bookings through the public API: creation and idempotency, reads, cancellation, the driver's moves, ratings,
 * scheduling. One file, because the cases share one started app, which is costly to start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminBooking, Booking, BookingEvent, MeResponse, Quote, Tracking } from '@loadline/contracts';
import { decodeBookingRef, fallbackBookingRef } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { BAD_CURSOR, forgedCursors } from '../../../test/support/cursors';
import { bearer, signInAdmin } from '../../../test/support/factories';
import {
  CITY,
  book,
  getBooking,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
  waitForStatus,
} from '../../../test/support/fleet';
import { drained } from '../../../test/support/drained';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { OUTBOX_JOB } from '../../platform/outbox/outbox';
import { logicalShardOf } from '../../platform/db/ids';
import { activationJobId, BOOKING_ACTIVATE_JOB } from './booking-activation.job';
import { randomRef, type RefMinter } from './booking-refs';
import { BookingsRepository } from './bookings.repository';
import { BookingsService } from './bookings.service';
import { IdempotencyKeys } from './idempotency';

describe(`bookings (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('bookings', { env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30' } });
    app = await env.start();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function assignedTrip(at = CITY, driverOptions: { phone?: string } = {}) {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { ...driverOptions, at: offset(at, 0.3) });
    const booking = await book(app, customer.token, { pickup: at });
    await waitForOffer(app, driver.token, booking.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);
    return { customer, driver, booking: accepted.json<Booking>() };
  }

  async function trackingOf(token: string, bookingId: string): Promise<Tracking> {
    const response = await app.http.inject({
      url: `/v1/bookings/${bookingId}/tracking`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<Tracking>();
  }

  async function move(token: string, bookingId: string, status: Booking['status']) {
    return app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${bookingId}/status`,
      headers: bearer(token),
      payload: { status },
    });
  }

  it('runs the whole lifecycle from quote to delivery with a seq per change', async () => {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 0.5) });
    const quoteResponse = await app.http.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: bearer(customer.token),
      payload: { pickup: { ...CITY, address: 'MG Road' }, dropoff: offset(CITY, 6, 2), vehicleType: 'van' },
    });
    expect(quoteResponse.statusCode).toBe(200);
    const quote = quoteResponse.json<Quote>();

    const created = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(customer.token),
      payload: { quoteId: quote.id, goods: { description: 'Two sofas', weightKg: 120 } },
    });
    expect(created.statusCode).toBe(201);
    const booking = created.json<Booking>();
    expect(booking).toMatchObject({
      status: 'searching',
      customerId: customer.user.id,
      driverId: null,
      vehicleType: 'van',
      price: quote.price,
      distanceKm: quote.distanceKm,
      goods: { description: 'Two sofas', weightKg: 120 },
      pickup: { address: 'MG Road' },
      scheduledAt: null,
      seq: 1,
    });

    const offer = await waitForOffer(app, driver.token, booking.id);
    expect(offer.price).toEqual(quote.price);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json<Booking>()).toMatchObject({
      status: 'driver_assigned',
      driverId: driver.user.id,
      seq: 2,
    });

    const steps: Booking['status'][] = [
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
    ];
    for (const [index, status] of steps.entries()) {
      const response = await move(driver.token, booking.id, status);
      expect(response.statusCode).toBe(200);
      expect(response.json<Booking>()).toMatchObject({ status, seq: 3 + index });
    }

    const position = offset(CITY, 3, 1);
    await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(driver.token),
      payload: { ...position, heading: 45 },
    });
    const tracking = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/tracking`,
      headers: bearer(customer.token),
    });
    const seen = tracking.json<Tracking>();
    expect(seen.status).toBe('in_transit');
    expect(seen.driverLocation).toMatchObject({ lat: position.lat, lng: position.lng, heading: 45 });
    expect(seen.etaMinutes).toBeGreaterThan(0);

    const delivered = await move(driver.token, booking.id, 'delivered');
    expect(delivered.json<Booking>()).toMatchObject({ status: 'delivered', seq: 7 });

    const events = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/events`,
      headers: bearer(customer.token),
    });
    const items = events.json<{ items: BookingEvent[] }>().items;
    expect(items.map((event) => [event.seq, event.status, event.actor.role])).toEqual([
      [1, 'searching', 'customer'],
      [2, 'driver_assigned', 'driver'],
      [3, 'en_route_to_pickup', 'driver'],
      [4, 'arrived_at_pickup', 'driver'],
      [5, 'goods_collected', 'driver'],
      [6, 'in_transit', 'driver'],
      [7, 'delivered', 'driver'],
    ]);
    const after = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/tracking`,
      headers: bearer(customer.token),
    });
    // A finished trip still names its driver, without the phone.
    expect(after.json<Tracking>()).toEqual({
      status: 'delivered',
      driverLocation: null,
      etaMinutes: null,
      driver: {
        id: driver.user.id,
        name: driver.user.name,
        phone: null,
        vehicle: { type: 'van', plate: expect.stringMatching(/^KA01/) as unknown },
      },
    });
  });

  it('every booking has its own short reference: on creation, read, both lists, unique across shards', async () => {
    const customers = await Promise.all(Array.from({ length: 8 }, () => newCustomer(app)));
    const made = await Promise.all(
      customers.map((customer) => book(app, customer.token, { pickup: offset(CITY, -60) })),
    );
    const refs = made.map((booking) => booking.ref ?? '');
    expect(new Set(refs).size).toBe(made.length);
    const shards = new Set<number>();
    for (const [index, booking] of made.entries()) {
      const customer = customers[index];
      if (customer === undefined) {
        throw new Error('no customer');
      }
      expect(booking.ref).toMatch(/^LL-[0-9A-HJKMNP-TV-Z]{7}$/);
      // The code carries the booking's logical shard: the customer's.
      expect(decodeBookingRef(booking.ref ?? '')).toMatchObject({
        kind: 'live',
        logicalShard: logicalShardOf(customer.user.id),
      });
      shards.add(app.platform.router.forId(booking.id).index);
      expect((await getBooking(app, customer.token, booking.id)).ref).toBe(booking.ref);
      // No driver yet: tracking names none.
      expect(await trackingOf(customer.token, booking.id)).toEqual({
        status: booking.status,
        driverLocation: null,
        etaMinutes: null,
      });
      const own = await app.http.inject({ url: '/v1/bookings', headers: bearer(customer.token) });
      expect(own.json<{ items: Booking[] }>().items.map((item) => item.ref)).toEqual([booking.ref]);
      const stored = await app.platform.router
        .forId(booking.id)
        .db.selectFrom('bookings')
        .select('ref')
        .where('id', '=', booking.id)
        .executeTakeFirstOrThrow();
      expect(stored.ref).toBe(booking.ref);
    }
    expect(shards.size).toBeGreaterThan(1);
    const adminList = await app.http.inject({
      url: '/v1/admin/bookings?limit=100',
      headers: bearer(admin),
    });
    const listed = new Map(adminList.json<{ items: Booking[] }>().items.map((item) => [item.id, item.ref]));
    for (const booking of made) {
      expect(listed.get(booking.id)).toBe(booking.ref);
    }

    // A row from before references has none stored: it shows one derived from its ID.
    const [older] = made;
    const owner = customers[0];
    if (older === undefined || owner === undefined) {
      throw new Error('no booking');
    }
    await app.platform.router
      .forId(older.id)
      .db.updateTable('bookings')
      .set({ ref: null })
      .where('id', '=', older.id)
      .execute();
    // (Read from the shard through the customer's list: the single read is cached, and this change bypassed the app.)
    const relisted = await app.http.inject({ url: '/v1/bookings', headers: bearer(owner.token) });
    expect(relisted.json<{ items: Booking[] }>().items.map((item) => item.ref)).toEqual([
      fallbackBookingRef(older.id),
    ]);
  });

  it("a code another booking on the shard holds is minted again, in the booking's one transaction", async () => {
    const customer = await newCustomer(app);
    const first = await book(app, customer.token, { pickup: offset(CITY, -62) });
    const taken = first.ref ?? '';
    const tries: number[] = [];
    const repository = new BookingsRepository();
    const service = (mintRef: RefMinter) =>
      new BookingsService({
        router: app.platform.router,
        ids: app.platform.ids,
        clock: app.platform.clock,
        outbox: app.platform.outbox,
        bookings: repository,
        pricing: app.services.pricing,
        presence: app.services.drivers.presence,
        drivers: app.services.drivers.cards,
        eta: app.services.bookingCore.liveEta,
        pins: app.services.bookingCore.pins,
        readCache: app.services.bookingCore.readCache,
        scheduledLeadMinutes: 15,
        idempotency: new IdempotencyKeys({ bookings: repository, clock: app.platform.clock }),
        mintRef,
      });
    const body = { pickup: offset(CITY, -62), dropoff: offset(CITY, -58), vehicleType: 'van' as const };
    const created = await service((shard, attempt) => {
      tries.push(attempt);
      return attempt === 0 ? taken : randomRef(shard, attempt);
    }).create(customer.user.id, body, 'retried-key');
    expect(tries).toEqual([0, 1]);
    expect(created.booking.ref).not.toBe(taken);
    expect(created.booking.ref).toMatch(/^LL-[0-9A-HJKMNP-TV-Z]{7}$/);
    // The Idempotency-Key answers the booking that was written, with its second code.
    const replay = await service(randomRef).create(customer.user.id, body, 'retried-key');
    expect(replay).toEqual({ booking: created.booking, replayed: true });

    // A shard where every try repeats gives up and writes nothing.
    const stuck: number[] = [];
    await expect(
      service((_shard, attempt) => {
        stuck.push(attempt);
        return taken;
      }).create(customer.user.id, body, 'stuck-key'),
    ).rejects.toThrow(/no free booking reference after 9 tries/);
    expect(stuck).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const own = await app.http.inject({ url: '/v1/bookings', headers: bearer(customer.token) });
    expect(own.json<{ items: Booking[] }>().items.map((item) => item.ref)).toEqual([
      created.booking.ref,
      taken,
    ]);
    expect((await getBooking(app, customer.token, first.id)).ref).toBe(taken);
  });

  it("tracking names the driver after a reload, with the driver's phone while the trip is active", async () => {
    const { customer, driver, booking } = await assignedTrip(offset(CITY, -70), { phone: '+91 98450 12345' });
    const profile = await app.http.inject({ url: '/v1/me', headers: bearer(driver.token) });
    const card = {
      id: driver.user.id,
      name: driver.user.name,
      vehicle: { type: 'van', plate: profile.json<MeResponse>().user.driver?.vehicle.plate },
    };
    expect(card.vehicle.plate).toMatch(/^KA01/);
    expect(await trackingOf(customer.token, booking.id)).toMatchObject({
      status: 'driver_assigned',
      driver: { ...card, phone: '+91 98450 12345' },
    });
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(customer.token),
      payload: { reason: 'Found another vehicle' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(await trackingOf(customer.token, booking.id)).toMatchObject({
      status: 'cancelled',
      driver: { ...card, phone: null },
    });
  });

  it('every illegal move is 422 invalid_transition and changes nothing', async () => {
    const { driver, booking } = await assignedTrip(offset(CITY, 20));
    for (const status of [
      'goods_collected',
      'delivered',
      'in_transit',
      'arrived_at_pickup',
      'expired',
      'scheduled',
      'cancelled',
      'driver_assigned',
    ] as const) {
      const response = await move(driver.token, booking.id, status);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        error: { code: 'invalid_transition', details: { from: 'driver_assigned', to: status } },
      });
    }
    expect((await move(driver.token, booking.id, 'en_route_to_pickup')).statusCode).toBe(200);
    expect((await move(driver.token, booking.id, 'driver_assigned')).statusCode).toBe(422);
    expect((await move(driver.token, booking.id, 'searching')).statusCode).toBe(422);
    const current = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}`,
      headers: bearer(driver.token),
    });
    expect(current.json<Booking>()).toMatchObject({ status: 'en_route_to_pickup', seq: 3 });
  });

  it('a customer can cancel until the goods are collected, an admin until delivery, nobody after', async () => {
    const searching = await book(app, (await newCustomer(app)).token, { pickup: offset(CITY, -40) });
    const owner = await newCustomer(app);
    const own = await book(app, owner.token, { pickup: offset(CITY, -40) });
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${own.id}/cancel`,
      headers: bearer(owner.token),
      payload: { reason: 'changed my mind' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json<Booking>()).toMatchObject({ status: 'cancelled', seq: 2 });
    const again = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${own.id}/cancel`,
      headers: bearer(owner.token),
      payload: {},
    });
    expect(again.statusCode).toBe(422);
    // A cancel may come without any body at all.
    const bare = await book(app, owner.token, { pickup: offset(CITY, -41) });
    const noBody = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${bare.id}/cancel`,
      headers: bearer(owner.token),
    });
    expect(noBody.statusCode).toBe(200);
    expect(noBody.json<Booking>().status).toBe('cancelled');

    // Another customer's booking looks like it does not exist.
    const foreign = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${searching.id}/cancel`,
      headers: bearer(owner.token),
      payload: {},
    });
    expect(foreign.statusCode).toBe(404);

    const { customer, driver, booking } = await assignedTrip(offset(CITY, 30));
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected'] as const) {
      expect((await move(driver.token, booking.id, status)).statusCode).toBe(200);
    }
    const late = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(customer.token),
      payload: {},
    });
    expect(late.statusCode).toBe(422);
    const byAdmin = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(admin),
      payload: { reason: 'damaged goods' },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json<Booking>().status).toBe('cancelled');
    expect((await move(driver.token, booking.id, 'in_transit')).statusCode).toBe(422);
  });

  it('customers see only their own bookings; drivers only their trips; admins everything', async () => {
    const alice = await newCustomer(app);
    const bob = await newCustomer(app);
    const booking = await book(app, alice.token, { pickup: offset(CITY, -50) });
    const stranger = await onlineDriver(app, { at: offset(CITY, 80), online: false });
    for (const token of [bob.token, stranger.token]) {
      for (const suffix of ['', '/events', '/tracking']) {
        const response = await app.http.inject({
          method: 'GET',
          url: `/v1/bookings/${booking.id}${suffix}`,
          headers: bearer(token),
        });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
      }
    }
    expect(
      (await app.http.inject({ method: 'GET', url: `/v1/bookings/${booking.id}`, headers: bearer(admin) }))
        .statusCode,
    ).toBe(200);
    const driverMove = await move(stranger.token, booking.id, 'en_route_to_pickup');
    expect(driverMove.statusCode).toBe(404);

    const list = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings?limit=5',
      headers: bearer(bob.token),
    });
    expect(list.json<{ items: Booking[] }>().items).toEqual([]);
  });

  it("lists a customer's bookings newest first with a cursor and a status filter", async () => {
    const customer = await newCustomer(app);
    const made: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      made.push((await book(app, customer.token, { pickup: offset(CITY, -60 - index) })).id);
    }
    await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${made[0] ?? ''}/cancel`,
      headers: bearer(customer.token),
      payload: {},
    });
    const first = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings?limit=2',
      headers: bearer(customer.token),
    });
    const page1 = first.json<{ items: Booking[]; nextCursor: string | null }>();
    expect(page1.items.map((b) => b.id)).toEqual([made[4], made[3]]);
    const seen = [...page1.items.map((b) => b.id)];
    let cursor = page1.nextCursor;
    while (cursor !== null) {
      const next = await app.http.inject({
        method: 'GET',
        url: `/v1/bookings?limit=2&cursor=${cursor}`,
        headers: bearer(customer.token),
      });
      const page = next.json<{ items: Booking[]; nextCursor: string | null }>();
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...made].reverse());
    const cancelledOnly = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings?status=cancelled',
      headers: bearer(customer.token),
    });
    expect(cancelledOnly.json<{ items: Booking[] }>().items.map((b) => b.id)).toEqual([made[0]]);
    const badLimit = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings?limit=500',
      headers: bearer(customer.token),
    });
    expect(badLimit.statusCode).toBe(400);
  });

  it("a cursor the server did not issue is 400 validation_failed on a customer's bookings; a real one pages", async () => {
    const customer = await newCustomer(app);
    const made: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      made.push((await book(app, customer.token, { pickup: offset(CITY, -90 - index) })).id);
    }
    const page = async (query: string) =>
      app.http.inject({ url: `/v1/bookings?${query}`, headers: bearer(customer.token) });
    const first = (await page('limit=2')).json<{ items: Booking[]; nextCursor: string | null }>();
    expect(first.items.map((b) => b.id)).toEqual([made[2], made[1]]);
    const second = await page(`limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.statusCode).toBe(200);
    expect(second.json<{ items: Booking[]; nextCursor: string | null }>()).toMatchObject({
      items: [{ id: made[0] }],
      nextCursor: null,
    });

    for (const cursor of forgedCursors(made[0] ?? '')) {
      const response = await page(`limit=2&cursor=${cursor}`);
      expect(response.statusCode, cursor).toBe(400);
      expect(response.json(), cursor).toEqual(BAD_CURSOR);
    }
  });

  it('the same Idempotency-Key and body return the first booking; another body with the key is 409', async () => {
    const customer = await newCustomer(app);
    const body = { pickup: offset(CITY, -70), dropoff: offset(CITY, -65), vehicleType: 'bike' };
    const headers = { ...bearer(customer.token), 'idempotency-key': 'order-7781' };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.http.inject({ method: 'POST', url: '/v1/bookings', headers, payload: body }),
      ),
    );
    expect(responses.map((response) => response.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(responses.map((response) => response.json<Booking>().id));
    expect(ids.size).toBe(1);
    const list = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings',
      headers: bearer(customer.token),
    });
    expect(list.json<{ items: Booking[] }>().items).toHaveLength(1);

    const reordered = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers,
      payload: { vehicleType: 'bike', dropoff: body.dropoff, pickup: body.pickup },
    });
    expect(reordered.json<Booking>().id).toBe([...ids][0]);
    const different = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers,
      payload: { ...body, vehicleType: 'van' },
    });
    expect(different.statusCode).toBe(409);
    expect(different.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });

  it('refuses bad bookings with 4xx and creates nothing', async () => {
    const customer = await newCustomer(app);
    const cases: [Record<string, unknown>, number, string][] = [
      [{}, 400, 'validation_failed'],
      [
        { quoteId: '123456789012345678', pickup: CITY, dropoff: CITY, vehicleType: 'van' },
        400,
        'validation_failed',
      ],
      [{ pickup: { lat: 91, lng: 0 }, dropoff: CITY, vehicleType: 'van' }, 400, 'validation_failed'],
      [{ pickup: CITY, dropoff: CITY, vehicleType: 'rocket' }, 400, 'validation_failed'],
      [
        {
          pickup: CITY,
          dropoff: offset(CITY, 2),
          vehicleType: 'bike',
          goods: { description: 'fridge', weightKg: 90 },
        },
        422,
        'over_capacity',
      ],
      [
        {
          pickup: CITY,
          dropoff: offset(CITY, 2),
          vehicleType: 'van',
          scheduledAt: '2020-01-01T00:00:00.000Z',
        },
        400,
        'validation_failed',
      ],
      [{ quoteId: '123456789012345678' }, 404, 'not_found'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/bookings',
        headers: bearer(customer.token),
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json()).toMatchObject({ error: { code } });
    }
    const list = await app.http.inject({
      method: 'GET',
      url: '/v1/bookings',
      headers: bearer(customer.token),
    });
    expect(list.json<{ items: Booking[] }>().items).toEqual([]);
    const driver = await onlineDriver(app, { online: false });
    const asDriver = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(driver.token),
      payload: { pickup: CITY, dropoff: CITY, vehicleType: 'van' },
    });
    expect(asDriver.statusCode).toBe(403);
  });

  it('admin lists every booking across shards and reads the overview', async () => {
    const list = await app.http.inject({
      method: 'GET',
      url: '/v1/admin/bookings?limit=100',
      headers: bearer(admin),
    });
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Booking[] }>().items;
    expect(items.length).toBeGreaterThan(5);
    const ids = items.map((b) => BigInt(b.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);
    const overview = await app.http.inject({
      method: 'GET',
      url: '/v1/admin/overview',
      headers: bearer(admin),
    });
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({ completedToday: 1 });
    const customer = await newCustomer(app);
    expect(
      (await app.http.inject({ method: 'GET', url: '/v1/admin/bookings', headers: bearer(customer.token) }))
        .statusCode,
    ).toBe(403);
  });

  it('admin bookings name the customer and driver, and filter by customer, driver, status and reference', async () => {
    const { customer, driver, booking } = await assignedTrip(offset(CITY, -80));
    const other = await book(app, customer.token, { pickup: offset(CITY, -80) });
    const stranger = await book(app, (await newCustomer(app)).token, { pickup: offset(CITY, -81) });
    const list = async (query: string) => {
      const response = await app.http.inject({ url: `/v1/admin/bookings?${query}`, headers: bearer(admin) });
      expect(response.statusCode).toBe(200);
      return response.json<{ items: AdminBooking[]; nextCursor: string | null }>();
    };

    const mine = await list(`customerId=${customer.user.id}`);
    expect(mine.items.map((item) => [item.id, item.customerName, item.driverName])).toEqual([
      [other.id, customer.user.name, null],
      [booking.id, customer.user.name, driver.user.name],
    ]);
    expect((await list(`customerId=${customer.user.id}&limit=1`)).nextCursor).not.toBeNull();
    const page2 = await list(
      `customerId=${customer.user.id}&limit=1&cursor=${(await list(`customerId=${customer.user.id}&limit=1`)).nextCursor ?? ''}`,
    );
    expect(page2.items.map((item) => item.id)).toEqual([booking.id]);
    expect((await list(`driverId=${driver.user.id}`)).items.map((item) => item.id)).toEqual([booking.id]);
    expect(
      (await list(`customerId=${customer.user.id}&status=driver_assigned`)).items.map((item) => item.id),
    ).toEqual([booking.id]);

    // A reference as typed: any case, with or without the prefix; a fallback one spells the ID.
    const typed = (stranger.ref ?? '').slice(3).toLowerCase();
    expect((await list(`ref=${typed}`)).items.map((item) => item.id)).toEqual([stranger.id]);
    expect((await list(`ref=${fallbackBookingRef(booking.id)}`)).items.map((item) => item.ref)).toEqual([
      booking.ref,
    ]);
    expect((await list(`ref=${stranger.ref ?? ''}&customerId=${customer.user.id}`)).items).toEqual([]);
    expect((await list('ref=LL-0000000')).items).toEqual([]);

    for (const bad of ['customerId=abc', 'driverId=-1', 'ref=LL', 'status=lost', 'colour=red']) {
      const response = await app.http.inject({ url: `/v1/admin/bookings?${bad}`, headers: bearer(admin) });
      expect(response.statusCode, bad).toBe(400);
    }
  });

  it('a cursor the server did not issue is 400 validation_failed on the admin bookings, with or without filters', async () => {
    const customer = await newCustomer(app);
    const older = await book(app, customer.token, { pickup: offset(CITY, -95) });
    const newer = await book(app, customer.token, { pickup: offset(CITY, -96) });
    const page = async (query: string) =>
      app.http.inject({ url: `/v1/admin/bookings?${query}`, headers: bearer(admin) });
    const first = (await page(`customerId=${customer.user.id}&limit=1`)).json<{
      items: AdminBooking[];
      nextCursor: string | null;
    }>();
    expect(first.items.map((item) => item.id)).toEqual([newer.id]);
    const second = await page(`customerId=${customer.user.id}&limit=1&cursor=${first.nextCursor ?? ''}`);
    expect(second.statusCode).toBe(200);
    expect(second.json<{ items: AdminBooking[] }>().items.map((item) => item.id)).toEqual([older.id]);
    // Across every shard too: the second page starts right after the first.
    const everyFirst = (await page('limit=2')).json<{ items: AdminBooking[]; nextCursor: string | null }>();
    const everySecond = (await page(`limit=1&cursor=${everyFirst.nextCursor ?? ''}`)).json<{
      items: AdminBooking[];
    }>();
    const both = (await page('limit=3')).json<{ items: AdminBooking[] }>();
    expect([...everyFirst.items, ...everySecond.items].map((item) => item.id)).toEqual(
      both.items.map((item) => item.id),
    );

    for (const filter of [
      '',
      `customerId=${customer.user.id}&`,
      'status=searching&',
      `ref=${newer.ref ?? ''}&`,
    ]) {
      for (const cursor of forgedCursors(older.id)) {
        const response = await page(`${filter}limit=1&cursor=${cursor}`);
        expect(response.statusCode, `${filter}${cursor}`).toBe(400);
        expect(response.json(), `${filter}${cursor}`).toEqual(BAD_CURSOR);
      }
    }
  });
});

describe(`quotes and scheduled bookings with a fake clock (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    env = await TestEnvironment.create('schedule', {
      env: { RATE_LIMITS: 'off', QUOTE_TTL_SECONDS: '60', SCHEDULED_LEAD_MINUTES: '15' },
    });
    app = await env.start({ clock });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('an expired quote is 409 quote_expired; a fresh one books at its price', async () => {
    const customer = await newCustomer(app);
    const quote = await quoteFor(app, customer.token, {
      pickup: CITY,
      dropoff: offset(CITY, 4),
      vehicleType: 'mini_truck',
    });
    clock.advance(30_000);
    const inTime = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(customer.token),
      payload: { quoteId: quote.id },
    });
    expect(inTime.statusCode).toBe(201);
    expect(inTime.json<Booking>().price).toEqual(quote.price);
    clock.advance(31_000);
    const late = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(customer.token),
      payload: { quoteId: quote.id },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'quote_expired' } });
    const other = await newCustomer(app);
    const stolen = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(other.token),
      payload: { quoteId: quote.id },
    });
    expect(stolen.statusCode).toBe(404);
  });

  it('a repeated Idempotency-Key is answered as the first time after its quote lapsed, and books anew after a day', async () => {
    const customer = await newCustomer(app);
    const quote = await quoteFor(app, customer.token, {
      pickup: CITY,
      dropoff: offset(CITY, 6),
      vehicleType: 'van',
    });
    const headers = { ...bearer(customer.token), 'idempotency-key': 'lapse-41' };
    const send = () =>
      app.http.inject({ method: 'POST', url: '/v1/bookings', headers, payload: { quoteId: quote.id } });
    const first = await send();
    expect(first.statusCode).toBe(201);

    clock.advance(120_000);
    const repeated = await send();
    expect({ status: repeated.statusCode, id: repeated.json<Booking>().id }).toEqual({
      status: 201,
      id: first.json<Booking>().id,
    });

    // Past the key's day the request is a new one: its quote is long gone, so it is refused as such.
    clock.advance(24 * 3600_000);
    const dayLater = await send();
    expect(dayLater.statusCode).toBe(409);
    expect(dayLater.json()).toMatchObject({ error: { code: 'quote_expired' } });
    const direct = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers,
      payload: { pickup: CITY, dropoff: offset(CITY, 6), vehicleType: 'van' },
    });
    expect(direct.statusCode).toBe(201);
    expect(direct.json<Booking>().id).not.toBe(first.json<Booking>().id);
  });

  it('a scheduled booking waits as scheduled and starts searching when its time comes', async () => {
    const customer = await newCustomer(app);
    const scheduledAt = clock.now() + 15 * 60_000 + 2_000;
    const booking = await book(app, customer.token, { scheduledAt: new Date(scheduledAt).toISOString() });
    expect(booking).toMatchObject({ status: 'scheduled', scheduledAt: new Date(scheduledAt).toISOString() });
    // Nothing happens while the clock stands still: once the booking's events
    // and every job due by now have run, it is still scheduled.
    await drained(app);
    expect(await getBooking(app, customer.token, booking.id)).toMatchObject({ status: 'scheduled', seq: 1 });
    clock.advance(3_000);
    const searching = await waitForStatus(app, customer.token, booking.id, 'searching', 20_000);
    expect(searching.seq).toBe(2);
  });

  it('a cancelled scheduled booking never starts', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      scheduledAt: new Date(clock.now() + 15 * 60_000 + 1_000).toISOString(),
    });
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(customer.token),
      payload: {},
    });
    expect(cancelled.json<Booking>().status).toBe('cancelled');
    clock.advance(5_000);
    expect(await app.services.bookingCore.activation.sweep()).toBe(0);
    expect((await waitForStatus(app, customer.token, booking.id, 'cancelled', 1000)).seq).toBe(2);
  });

  it('the sweep starts due bookings whose activation job was lost', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      scheduledAt: new Date(clock.now() + 60 * 60_000).toISOString(),
    });
    // Let the lifecycle consumer queue the activation, then lose it.
    await app.platform.relay.drain();
    await waitFor(async () => {
      const counts = await app.platform.queue.counts(OUTBOX_JOB);
      return counts.waiting + counts.active + counts.delayed === 0;
    });
    expect(await app.platform.queue.remove(BOOKING_ACTIVATE_JOB, activationJobId(booking.id))).toBe(true);
    clock.advance(46 * 60_000);
    expect(await app.services.bookingCore.activation.sweep()).toBeGreaterThanOrEqual(1);
    expect((await waitForStatus(app, customer.token, booking.id, 'searching', 5000)).status).toBe(
      'searching',
    );
  });
});

/** A quote for the customer, which must be given (200). */
async function quoteFor(app: LoadlineApp, token: string, payload: Record<string, unknown>): Promise<Quote> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/v1/quotes',
    headers: bearer(token),
    payload,
  });
  expect(response.statusCode).toBe(200);
  return response.json<Quote>();
}
