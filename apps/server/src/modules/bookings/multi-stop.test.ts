/**
 * Multi-stop bookings through the public API (contract v1.1): quotes and
 * bookings with `stops`, priced over every leg, stored on the booking's shard
 * and answered stop by stop. One file, because the cases share one started app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AdminBooking,
  AuthResponse,
  Booking,
  BookingEvent,
  Coordinates,
  EtaUpdatedEvent,
  Notification,
  Quote,
  StopEvent,
  StopRequest,
  Upload,
} from '@loadline/contracts';
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
} from '../../../test/support/fleet';
import { PNG } from '../../../test/support/images';
import { baseUrlOf, connectSocket } from '../../../test/support/sockets';
import { waitFor } from '../../../test/support/wait';
import { deliveredEvent, WebhookReceiver } from '../../../test/support/webhook-receiver';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { computePrice } from '../pricing/price';
import { DEFAULT_REGION } from '../pricing/pricing-catalog';
import { createPricing } from '../pricing/pricing.module';
import type { PricingService } from '../pricing/pricing.service';

/** A corner of the service area no other case of this file books around, so no surge reaches it. */
const PICKUP: Coordinates = { ...offset(CITY, 30, -30), address: 'Depot, Nelamangala' };

const THREE_STOPS: StopRequest[] = [
  {
    location: { ...offset(PICKUP, 3, 1), address: 'Shop 1' },
    goods: { description: 'Two boxes of tiles', weightKg: 120 },
    recipient: { name: 'Asha Rao', phone: '+919876543210' },
  },
  { location: offset(PICKUP, 5, 4), goods: { description: 'Cement bags', weightKg: 300 } },
  { location: offset(PICKUP, 2, 7), recipient: { name: 'Ravi' } },
];

describe(`multi-stop bookings (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let pricing: PricingService;
  let admin: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await TestEnvironment.create('multistop', {
      env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30', WEBHOOK_ALLOW_PRIVATE: 'on' },
    });
    receiver = await WebhookReceiver.start();
    app = await env.start();
    await app.listen();
    pricing = createPricing(app.platform).service;
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await receiver.close();
    await env.destroy();
  });

  function post(token: string, url: string, payload: object) {
    return app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
  }

  /** The stored stop rows of a booking, straight from its shard. */
  function storedStops(bookingId: string) {
    return app.platform.router
      .forId(bookingId)
      .db.selectFrom('booking_stops')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('seq')
      .execute();
  }

  async function bookingsOf(token: string): Promise<Booking[]> {
    const response = await app.http.inject({ url: '/v1/bookings', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: Booking[] }>().items;
  }

  it('a 3-stop quote is priced over its legs: the rates and surge on the summed distance and duration', async () => {
    const customer = await newCustomer(app);
    const response = await post(customer.token, '/v1/quotes', {
      pickup: PICKUP,
      stops: THREE_STOPS,
      vehicleType: 'van',
    });
    expect(response.statusCode).toBe(200);
    const quote = response.json<Quote>();

    // Each leg as the pricing model measures a one-drop-off trip.
    const ends = [PICKUP, ...THREE_STOPS.map((stop) => stop.location)];
    const legs = await Promise.all(
      THREE_STOPS.map((stop, index) =>
        pricing.estimate({ pickup: ends[index] ?? PICKUP, dropoff: stop.location, vehicleType: 'van' }),
      ),
    );
    const distanceKm = Math.round(legs.reduce((sum, leg) => sum + leg.distanceKm, 0) * 100) / 100;
    const durationMinutes = Math.round(legs.reduce((sum, leg) => sum + leg.durationMinutes, 0) * 10) / 10;
    const expected = computePrice({
      rates: DEFAULT_REGION.rates.van,
      distanceKm,
      durationMinutes,
      surgeMultiplier: 1,
      currency: 'INR',
      regionId: 'default',
    });
    expect(distanceKm).toBeGreaterThan(legs[0]?.distanceKm ?? Infinity);
    expect(quote).toMatchObject({
      pickup: PICKUP,
      dropoff: THREE_STOPS[2]?.location,
      distanceKm,
      durationMinutes,
      surgeMultiplier: 1,
      price: expected.price,
      breakdown: expected.breakdown,
    });
    // One base fare for the trip, not one per leg.
    expect(quote.price.amount).toBeLessThan(legs.reduce((sum, leg) => sum + leg.price.amount, 0));
    expect(quote.stops).toEqual([
      {
        seq: 1,
        location: THREE_STOPS[0]?.location,
        goods: THREE_STOPS[0]?.goods,
        recipient: THREE_STOPS[0]?.recipient,
      },
      { seq: 2, location: THREE_STOPS[1]?.location, goods: THREE_STOPS[1]?.goods, recipient: null },
      { seq: 3, location: THREE_STOPS[2]?.location, goods: null, recipient: { name: 'Ravi' } },
    ]);
  });

  it('a booking from a 3-stop quote keeps its price and stops: pending, in order, the goods totalled', async () => {
    const customer = await newCustomer(app);
    const quote = (
      await post(customer.token, '/v1/quotes', { pickup: PICKUP, stops: THREE_STOPS, vehicleType: 'van' })
    ).json<Quote>();
    const created = await post(customer.token, '/v1/bookings', { quoteId: quote.id });
    expect(created.statusCode).toBe(201);
    const booking = created.json<Booking>();

    const pending = { status: 'pending', arrivedAt: null, completedAt: null, proof: null };
    const expectedStops = (quote.stops ?? []).map((stop) => ({ ...stop, ...pending }));
    expect(expectedStops).toHaveLength(3);
    expect(booking).toMatchObject({
      price: quote.price,
      distanceKm: quote.distanceKm,
      dropoff: quote.dropoff,
      goods: { description: 'Two boxes of tiles; Cement bags', weightKg: 420 },
      stops: expectedStops,
    });
    expect(await getBooking(app, customer.token, booking.id)).toEqual(booking);
    expect((await bookingsOf(customer.token)).find((item) => item.id === booking.id)).toEqual(booking);

    const adminList = await app.http.inject({
      url: `/v1/admin/bookings?customerId=${customer.user.id}`,
      headers: bearer(admin),
    });
    expect(adminList.json<{ items: AdminBooking[] }>().items[0]?.stops).toEqual(expectedStops);
    expect((await storedStops(booking.id)).map((row) => [row.seq, row.status])).toEqual([
      [1, 'pending'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
  });

  it('a booking made directly with stops is priced as its quote would be', async () => {
    const customer = await newCustomer(app);
    const quote = (
      await post(customer.token, '/v1/quotes', { pickup: PICKUP, stops: THREE_STOPS, vehicleType: 'van' })
    ).json<Quote>();
    const booking = await book(app, customer.token, {
      pickup: PICKUP,
      dropoff: undefined,
      stops: THREE_STOPS,
      vehicleType: 'van',
    });
    expect(booking.price).toEqual(quote.price);
    expect(booking.stops?.map((stop) => stop.location)).toEqual(THREE_STOPS.map((stop) => stop.location));
  });

  it('stops whose goods together exceed the vehicle are 422 over_capacity, and nothing is stored', async () => {
    const customer = await newCustomer(app);
    // 15 kg each fits a bike (20 kg); 30 kg together does not.
    const stops: StopRequest[] = [
      { location: offset(PICKUP, 1), goods: { description: 'Parcel', weightKg: 15 } },
      { location: offset(PICKUP, 2), goods: { description: 'Parcel', weightKg: 15 } },
    ];
    for (const url of ['/v1/quotes', '/v1/bookings']) {
      const response = await post(customer.token, url, { pickup: PICKUP, stops, vehicleType: 'bike' });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        error: { code: 'over_capacity', details: { capacityKg: 20, weightKg: 30 } },
      });
    }
    expect(await bookingsOf(customer.token)).toEqual([]);
  });

  it('dropoff with stops, neither, no stop, eleven stops or goods beside stops are 400; nothing is stored', async () => {
    const customer = await newCustomer(app);
    const one: StopRequest[] = [{ location: offset(PICKUP, 1) }];
    const cases: [object, string][] = [
      [{ pickup: PICKUP, dropoff: offset(PICKUP, 1), stops: one, vehicleType: 'van' }, '/stops'],
      [{ pickup: PICKUP, vehicleType: 'van' }, '/dropoff'],
      [{ pickup: PICKUP, stops: [], vehicleType: 'van' }, '/stops'],
      [
        {
          pickup: PICKUP,
          stops: Array.from({ length: 11 }, (_, index) => ({ location: offset(PICKUP, index * 0.5 + 0.5) })),
          vehicleType: 'van',
        },
        '/stops',
      ],
    ];
    for (const url of ['/v1/quotes', '/v1/bookings']) {
      for (const [payload, path] of cases) {
        const response = await post(customer.token, url, payload);
        expect(response.statusCode, `${url} ${JSON.stringify(payload).slice(0, 80)}`).toBe(400);
        const { error } = response.json<{
          error: { code: string; details: { issues: { path: string }[] } };
        }>();
        expect(error.code).toBe('validation_failed');
        expect(error.details.issues.map((issue) => issue.path)).toContain(path);
      }
    }
    const withGoods = await post(customer.token, '/v1/bookings', {
      pickup: PICKUP,
      stops: one,
      vehicleType: 'van',
      goods: { description: 'Boxes', weightKg: 10 },
    });
    expect(withGoods.statusCode).toBe(400);
    expect(withGoods.json()).toMatchObject({
      error: { code: 'validation_failed', details: { issues: [{ path: '/goods' }] } },
    });
    expect(await bookingsOf(customer.token)).toEqual([]);
  });

  it('a stop outside every service area is 422 outside_service_area naming the stop', async () => {
    const customer = await newCustomer(app);
    const response = await post(customer.token, '/v1/quotes', {
      pickup: PICKUP,
      stops: [{ location: offset(PICKUP, 1) }, { location: { lat: 89.5, lng: 77.6 } }],
      vehicleType: 'truck',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: { code: 'outside_service_area', details: { point: 'dropoff', stop: 2 } },
    });
  });

  it('a v1 booking has one stop, its drop-off with its goods, delivered with the booking and its position', async () => {
    const at = offset(CITY, -30, 30);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(at, 0.3) });
    const goods = { description: 'A sofa', weightKg: 60 };
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 4), goods });
    expect(booking.stops).toEqual([
      {
        seq: 1,
        location: booking.dropoff,
        recipient: null,
        goods,
        status: 'pending',
        arrivedAt: null,
        completedAt: null,
        proof: null,
      },
    ]);
    await acceptOffer(app, driver.token, booking.id);
    await driveToDelivered(app, driver.token, booking.id);
    const delivered = await getBooking(app, customer.token, booking.id);
    const deliveredAt = (await storedStops(booking.id))[0]?.completed_at;
    expect(delivered.stops).toEqual([
      {
        seq: 1,
        location: booking.dropoff,
        recipient: null,
        goods,
        status: 'delivered',
        arrivedAt: null,
        completedAt: new Date(deliveredAt ?? 0).toISOString(),
        proof: {
          recipientName: null,
          photoUrl: null,
          signatureUrl: null,
          at: new Date(deliveredAt ?? 0).toISOString(),
          location: { lat: offset(at, 0.3).lat, lng: offset(at, 0.3).lng },
        },
      },
    ]);
  });

  it('a booking made before stops were stored answers one stop made from its drop-off', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: offset(CITY, -20, 35) });
    // As a row written before migration 0017: no stops.
    await app.platform.router
      .forId(booking.id)
      .db.deleteFrom('booking_stops')
      .where('booking_id', '=', booking.id)
      .execute();
    expect((await getBooking(app, customer.token, booking.id)).stops).toEqual([
      {
        seq: 1,
        location: booking.dropoff,
        recipient: null,
        goods: null,
        status: 'pending',
        arrivedAt: null,
        completedAt: null,
        proof: null,
      },
    ]);
  });

  it('a booking made before stops were stored, in transit, has its one stop worked like any other', async () => {
    const at = offset(CITY, -25, -40);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(at, 0.3) });
    const goods = { description: 'Crates', weightKg: 40 };
    const booking = await book(app, customer.token, { pickup: at, dropoff: offset(at, 3), goods });
    await app.platform.router
      .forId(booking.id)
      .db.deleteFrom('booking_stops')
      .where('booking_id', '=', booking.id)
      .execute();
    await acceptOffer(app, driver.token, booking.id);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      expect((await post(driver.token, `/v1/bookings/${booking.id}/status`, { status })).statusCode).toBe(
        200,
      );
    }
    await post(driver.token, '/v1/driver/location', { ...offset(at, 3), heading: 0 });
    const completed = await post(driver.token, `/v1/bookings/${booking.id}/stops/1/complete`, {
      recipientName: 'Gate keeper',
    });
    expect(completed.statusCode).toBe(200);
    expect(completed.json<Booking>()).toMatchObject({
      status: 'delivered',
      stops: [{ seq: 1, goods, status: 'delivered', proof: { recipientName: 'Gate keeper' } }],
    });
    expect((await storedStops(booking.id)).map((row) => row.status)).toEqual(['delivered']);
  });

  it('a v1 delivered on a booking with several stops is 422 invalid_transition', async () => {
    const at = offset(CITY, -35, -30);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(at, 0.3) });
    const booking = await book(app, customer.token, {
      pickup: at,
      dropoff: undefined,
      stops: [{ location: offset(at, 2) }, { location: offset(at, 4) }],
    });
    // The driver's acceptance answers the stops to work.
    const accepted = await acceptOffer(app, driver.token, booking.id);
    expect(accepted.stops?.map((stop) => [stop.seq, stop.location])).toEqual([
      [1, offset(at, 2)],
      [2, offset(at, 4)],
    ]);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      expect((await post(driver.token, `/v1/bookings/${booking.id}/status`, { status })).statusCode).toBe(
        200,
      );
    }
    const refused = await post(driver.token, `/v1/bookings/${booking.id}/status`, { status: 'delivered' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'invalid_transition' } });
    expect((await getBooking(app, customer.token, booking.id)).status).toBe('in_transit');
  });

  /** The driver reports a position now (the server's clock). */
  async function driveTo(driver: AuthResponse, at: Coordinates): Promise<void> {
    const located = await post(driver.token, '/v1/driver/location', { lat: at.lat, lng: at.lng, heading: 0 });
    expect(located.statusCode).toBe(202);
  }

  /** A booking with these stops around `at`, accepted and driven to `in_transit`. */
  async function inTransit(at: Coordinates, stops: StopRequest[]) {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(at, 0.3) });
    const booking = await book(app, customer.token, { pickup: at, dropoff: undefined, stops });
    await acceptOffer(app, driver.token, booking.id);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      expect((await post(driver.token, `/v1/bookings/${booking.id}/status`, { status })).statusCode).toBe(
        200,
      );
    }
    return { customer, driver, booking };
  }

  function stopAction(
    driver: AuthResponse,
    bookingId: string,
    seq: number,
    action: string,
    body: object = {},
  ) {
    return post(driver.token, `/v1/bookings/${bookingId}/stops/${seq}/${action}`, body);
  }

  async function upload(driver: AuthResponse): Promise<Upload> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/uploads',
      headers: { ...bearer(driver.token), 'content-type': 'image/png' },
      payload: PNG,
    });
    expect(response.statusCode).toBe(201);
    return response.json<Upload>();
  }

  async function eventsOf(token: string, bookingId: string): Promise<BookingEvent[]> {
    const response = await app.http.inject({
      url: `/v1/bookings/${bookingId}/events`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: BookingEvent[] }>().items;
  }

  it('stops are worked in order only, and only in transit: anything else is 422 invalid_transition', async () => {
    const at = offset(CITY, -40, 10);
    const stops = [{ location: offset(at, 2) }, { location: offset(at, 4) }];
    const customer = await newCustomer(app);
    const early = await book(app, customer.token, { pickup: at, dropoff: undefined, stops });
    const driverEarly = await onlineDriver(app, { at: offset(at, 0.3) });
    await acceptOffer(app, driverEarly.token, early.id);
    await driveTo(driverEarly, stops[0]?.location ?? at);
    const beforeTransit = await stopAction(driverEarly, early.id, 1, 'arrive');
    expect(beforeTransit.statusCode).toBe(422);
    expect(beforeTransit.json()).toMatchObject({ error: { code: 'invalid_transition' } });

    const { driver, booking } = await inTransit(offset(CITY, -40, 20), [
      { location: offset(CITY, -38, 20) },
      { location: offset(CITY, -36, 20) },
    ]);
    await driveTo(driver, offset(CITY, -36, 20));
    for (const action of ['arrive', 'complete']) {
      const outOfOrder = await stopAction(driver, booking.id, 2, action);
      expect(outOfOrder.statusCode, action).toBe(422);
      expect(outOfOrder.json()).toMatchObject({ error: { code: 'invalid_transition' } });
    }
    const outOfOrderFail = await stopAction(driver, booking.id, 2, 'fail', { reason: 'refused' });
    expect(outOfOrderFail.statusCode).toBe(422);
    const unknown = await stopAction(driver, booking.id, 3, 'arrive');
    expect(unknown.statusCode).toBe(404);
    const after = await getBooking(app, driver.token, booking.id);
    expect(after.stops?.map((stop) => stop.status)).toEqual(['pending', 'pending']);
    expect(after.seq).toBe(booking.seq + 5);

    await driveTo(driver, offset(CITY, -38, 20));
    expect((await stopAction(driver, booking.id, 1, 'arrive')).statusCode).toBe(200);
    const again = await stopAction(driver, booking.id, 1, 'arrive');
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ error: { code: 'invalid_transition' } });
  });

  it('arriving or completing farther than 300 m from the stop is 422 too_far_from_stop and changes nothing', async () => {
    const stop = offset(CITY, -42, -20);
    const { driver, booking } = await inTransit(offset(CITY, -45, -20), [{ location: stop }]);
    await driveTo(driver, offset(stop, 0.35));
    for (const action of ['arrive', 'complete']) {
      const far = await stopAction(driver, booking.id, 1, action);
      expect(far.statusCode, action).toBe(422);
      expect(far.json()).toMatchObject({
        error: { code: 'too_far_from_stop', details: { distanceM: 350, maxDistanceM: 300 } },
      });
    }
    const unchanged = await getBooking(app, driver.token, booking.id);
    expect(unchanged.seq).toBe(booking.seq + 5);
    expect(unchanged.stops?.[0]?.status).toBe('pending');
    await driveTo(driver, offset(stop, 0.25));
    expect((await stopAction(driver, booking.id, 1, 'arrive')).statusCode).toBe(200);
  });

  it('a move that could not be made now is invalid_transition, not too_far_from_stop, wherever the driver is', async () => {
    const first = offset(CITY, -46, 10);
    const second = offset(CITY, -46, 14);
    const { driver, booking } = await inTransit(offset(CITY, -46, 6), [
      { location: first },
      { location: second },
    ]);
    // Kilometres from both stops: the next stop is the first, so the second is out of order.
    await driveTo(driver, offset(CITY, -46, 0));
    for (const action of ['arrive', 'complete']) {
      const outOfOrder = await stopAction(driver, booking.id, 2, action);
      expect(outOfOrder.statusCode, action).toBe(422);
      expect(outOfOrder.json(), action).toMatchObject({ error: { code: 'invalid_transition' } });
    }
    // The next stop, from there, is a matter of distance.
    const far = await stopAction(driver, booking.id, 1, 'arrive');
    expect(far.json()).toMatchObject({ error: { code: 'too_far_from_stop' } });
  });

  it('the booking is delivered after its last stop; proof shows to its customer, 404 to another; every event has its seq', async () => {
    const at = offset(CITY, -50, 0);
    const stops = [offset(at, 1), offset(at, 2), offset(at, 3)];
    const { customer, driver, booking } = await inTransit(
      at,
      stops.map((location) => ({ location })),
    );
    const photo = await upload(driver);
    const signature = await upload(driver);

    await driveTo(driver, stops[0] ?? at);
    expect((await stopAction(driver, booking.id, 1, 'arrive')).statusCode).toBe(200);
    const first = await stopAction(driver, booking.id, 1, 'complete', {
      recipientName: 'Asha Rao',
      photoId: photo.id,
      signatureId: signature.id,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json<Booking>().status).toBe('in_transit');

    await driveTo(driver, stops[1] ?? at);
    const failed = await stopAction(driver, booking.id, 2, 'fail', {
      reason: 'recipient_absent',
      note: 'Nobody at the gate',
      photoId: photo.id,
    });
    expect(failed.statusCode).toBe(200);

    await driveTo(driver, stops[2] ?? at);
    const last = await stopAction(driver, booking.id, 3, 'complete');
    expect(last.statusCode).toBe(200);
    const delivered = last.json<Booking>();
    expect(delivered.status).toBe('delivered');

    const seen = await getBooking(app, customer.token, booking.id);
    expect(seen).toEqual(delivered);
    const [one, two, three] = seen.stops ?? [];
    expect(one).toMatchObject({
      seq: 1,
      status: 'delivered',
      proof: {
        recipientName: 'Asha Rao',
        photoUrl: `/v1/uploads/${photo.id}`,
        signatureUrl: `/v1/uploads/${signature.id}`,
        at: one?.completedAt,
        location: { lat: stops[0]?.lat, lng: stops[0]?.lng },
      },
    });
    expect(one?.arrivedAt).not.toBeNull();
    expect(two).toMatchObject({
      seq: 2,
      status: 'failed',
      proof: null,
      failure: {
        reason: 'recipient_absent',
        note: 'Nobody at the gate',
        photoUrl: `/v1/uploads/${photo.id}`,
      },
    });
    expect(three).toMatchObject({ seq: 3, status: 'delivered', arrivedAt: null, proof: { photoUrl: null } });

    // A share link's holder follows the stops too (no proof, no names).
    const shared = await post(customer.token, `/v1/bookings/${booking.id}/share`, {});
    expect(shared.statusCode).toBe(201);
    const tracked = await app.http.inject({ url: `/v1/track/${shared.json<{ token: string }>().token}` });
    expect(tracked.json<{ stops: unknown }>().stops).toEqual([
      { seq: 1, status: 'delivered' },
      { seq: 2, status: 'failed' },
      { seq: 3, status: 'delivered' },
    ]);

    const photoRead = await app.http.inject({
      url: `/v1/uploads/${photo.id}`,
      headers: bearer(customer.token),
    });
    expect(photoRead.statusCode).toBe(200);
    expect(photoRead.rawPayload.equals(PNG)).toBe(true);
    const stranger = await newCustomer(app);
    expect(
      (await app.http.inject({ url: `/v1/bookings/${booking.id}`, headers: bearer(stranger.token) }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.http.inject({ url: `/v1/uploads/${photo.id}`, headers: bearer(stranger.token) })).statusCode,
    ).toBe(404);

    const events = await eventsOf(customer.token, booking.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)?.seq).toBe(delivered.seq);
    expect(
      events.slice(-5).map((event) => [event.status, event.type ?? null, event.stopSeq ?? null]),
    ).toEqual([
      ['in_transit', 'stop_arrived', 1],
      ['in_transit', 'stop_completed', 1],
      ['in_transit', 'stop_failed', 2],
      ['in_transit', 'stop_completed', 3],
      ['delivered', null, null],
    ]);
  });

  it('stop moves reach the customer as stopArrived, stopCompleted, stopFailed; a failed stop notifies at once', async () => {
    const at = offset(CITY, -58, -10);
    const stops = [offset(at, 1), offset(at, 2)];
    const { customer, driver, booking } = await inTransit(
      at,
      stops.map((location) => ({ location })),
    );
    const socket = await connectSocket(baseUrlOf(app), customer.token);
    try {
      await driveTo(driver, stops[0] ?? at);
      const arrived = (await stopAction(driver, booking.id, 1, 'arrive')).json<Booking>();
      const completed = (await stopAction(driver, booking.id, 1, 'complete')).json<Booking>();
      await driveTo(driver, stops[1] ?? at);
      const failed = await stopAction(driver, booking.id, 2, 'fail', { reason: 'refused' });
      expect(failed.statusCode).toBe(200);
      const events = await eventsOf(customer.token, booking.id);
      const atOf = (seq: number) => events.find((event) => event.seq === seq)?.at;

      const expectEvent = async (name: string, seq: number, eventSeq: number) => {
        const received = await socket.waitFor<StopEvent>(name, (data) => data.bookingId === booking.id);
        expect(received).toEqual({ bookingId: booking.id, seq, eventSeq, at: atOf(eventSeq) });
      };
      await expectEvent('stopArrived', 1, arrived.seq);
      await expectEvent('stopCompleted', 1, completed.seq);
      await expectEvent('stopFailed', 2, completed.seq + 1);

      let notices: Notification[] = [];
      await waitFor(async () => {
        const response = await app.http.inject({ url: '/v1/notifications', headers: bearer(customer.token) });
        notices = response
          .json<{ items: Notification[] }>()
          .items.filter((item) => item.type === 'stop_failed');
        return notices.length > 0;
      });
      expect(notices).toEqual([
        expect.objectContaining({
          type: 'stop_failed',
          title: 'Delivery attempt failed',
          body: "Stop 2: the recipient refused the goods. Open the booking to see the driver's note.",
          bookingId: booking.id,
          at: atOf(completed.seq + 1),
        }) as unknown,
      ]);
      await socket.waitFor<{ type: string }>('notification', (data) => data.type === 'stop_failed');
      // Only the failure is a notification; arrivals and completions are socket events alone.
      expect(
        socket.of<{ type: string }>('notification').filter((data) => data.type.startsWith('stop_')),
      ).toHaveLength(1);
    } finally {
      socket.close();
    }
  });

  it('the live ETA heads for the first open stop and moves on to the next when a stop is settled', async () => {
    const at = offset(CITY, -62, -25);
    const stops = [offset(at, 1), offset(at, 6)];
    const { customer, driver, booking } = await inTransit(
      at,
      stops.map((location) => ({ location })),
    );
    const socket = await connectSocket(baseUrlOf(app), customer.token);
    try {
      await driveTo(driver, offset(at, 0.5));
      await socket.waitFor<EtaUpdatedEvent>(
        'etaUpdated',
        (data) => data.bookingId === booking.id && data.toStop === 1,
      );
      await driveTo(driver, stops[0] ?? at);
      expect((await stopAction(driver, booking.id, 1, 'complete')).statusCode).toBe(200);
      const next = await socket.waitFor<EtaUpdatedEvent>(
        'etaUpdated',
        (data) => data.bookingId === booking.id && data.toStop === 2,
      );
      // From stop 1 to stop 2 is 5 km: minutes, not the zero of standing at stop 1.
      expect(next.etaMinutes).toBeGreaterThan(3);
      const tracking = await app.http.inject({
        url: `/v1/bookings/${booking.id}/tracking`,
        headers: bearer(customer.token),
      });
      expect(tracking.json<{ etaMinutes: number }>().etaMinutes).toBe(next.etaMinutes);
    } finally {
      socket.close();
    }
  });

  it("webhooks hear booking.stop_completed and booking.stop_failed in the booking's seq order", async () => {
    const at = offset(CITY, -60, 25);
    const stops = [offset(at, 1), offset(at, 2)];
    const { customer, driver, booking } = await inTransit(
      at,
      stops.map((location) => ({ location })),
    );
    const created = await post(customer.token, '/v1/webhooks', {
      url: receiver.url('/stops'),
      events: ['booking.stop_completed', 'booking.stop_failed'],
    });
    expect(created.statusCode).toBe(201);
    await driveTo(driver, stops[0] ?? at);
    const arrived = (await stopAction(driver, booking.id, 1, 'arrive')).json<Booking>();
    await stopAction(driver, booking.id, 1, 'complete');
    await driveTo(driver, stops[1] ?? at);
    const delivered = (
      await stopAction(driver, booking.id, 2, 'fail', { reason: 'damaged' })
    ).json<Booking>();
    expect(delivered.status).toBe('delivered');

    const mine = () =>
      receiver
        .at('/stops')
        .map((request) => deliveredEvent(request))
        .filter((body) => body.data.booking.id === booking.id);
    await waitFor(() => mine().length >= 2);
    // An arrival is no webhook event; the completion and the failure come in seq order.
    expect(mine().map((body) => body.type)).toEqual(['booking.stop_completed', 'booking.stop_failed']);
    const deliveries = await app.http.inject({
      url: `/v1/webhooks/${created.json<{ id: string }>().id}/deliveries`,
      headers: bearer(customer.token),
    });
    expect(
      deliveries
        .json<{ items: { type: string }[] }>()
        .items.map((item) => item.type)
        .sort(),
    ).toEqual(['booking.stop_completed', 'booking.stop_failed']);
    expect(arrived.seq + 2).toBe(delivered.seq - 1);
  });

  it("proof files must be uploads of this booking by its driver: unknown 404, another booking's 422 invalid_proof", async () => {
    const at = offset(CITY, -55, 15);
    const first = await inTransit(at, [{ location: offset(at, 1) }]);
    const earlier = await upload(first.driver);
    await driveTo(first.driver, offset(at, 1));
    expect(
      (await stopAction(first.driver, first.booking.id, 1, 'complete', { photoId: earlier.id })).statusCode,
    ).toBe(200);

    // Delivering the last stop released the driver, as a v1 delivery does: it takes the next job.
    const customer = await newCustomer(app);
    const next = await book(app, customer.token, { pickup: offset(at, 1), dropoff: offset(at, 3) });
    await acceptOffer(app, first.driver.token, next.id);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      expect((await post(first.driver.token, `/v1/bookings/${next.id}/status`, { status })).statusCode).toBe(
        200,
      );
    }
    await driveTo(first.driver, offset(at, 3));
    const reused = await stopAction(first.driver, next.id, 1, 'complete', { photoId: earlier.id });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({
      error: { code: 'invalid_proof', details: { uploadId: earlier.id } },
    });
    const unknown = await stopAction(first.driver, next.id, 1, 'complete', {
      signatureId: '123456789012345678',
    });
    expect(unknown.statusCode).toBe(404);
    const failUnknown = await stopAction(first.driver, next.id, 1, 'fail', {
      reason: 'other',
      photoId: '123456789012345678',
    });
    expect(failUnknown.statusCode).toBe(404);
    const badReason = await stopAction(first.driver, next.id, 1, 'fail', { reason: 'lost' });
    expect(badReason.statusCode).toBe(400);
    expect((await getBooking(app, customer.token, next.id)).stops?.[0]?.status).toBe('pending');
  });
});

describe(`a v1 delivery with CHECK_STOP_DISTANCE_FOR_ALL=on (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('stopcheck', {
      env: { RATE_LIMITS: 'off', CHECK_STOP_DISTANCE_FOR_ALL: 'on', STOP_MAX_DISTANCE_M: '500' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('is 422 too_far_from_stop away from the drop-off, and delivers within the limit', async () => {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 0.3) });
    const dropoff = offset(CITY, 4);
    const booking = await book(app, customer.token, { pickup: CITY, dropoff });
    await acceptOffer(app, driver.token, booking.id);
    const move = (status: string) =>
      app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/status`,
        headers: bearer(driver.token),
        payload: { status },
      });
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit']) {
      expect((await move(status)).statusCode).toBe(200);
    }
    const far = await move('delivered');
    expect(far.statusCode).toBe(422);
    expect(far.json()).toMatchObject({
      error: { code: 'too_far_from_stop', details: { distanceM: 3697, maxDistanceM: 500 } },
    });
    const located = await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(driver.token),
      payload: { ...offset(dropoff, 0.4), heading: 0 },
    });
    expect(located.statusCode).toBe(202);
    const near = await move('delivered');
    expect(near.statusCode).toBe(200);
    expect(near.json<Booking>().stops?.[0]?.status).toBe('delivered');
  });
});
