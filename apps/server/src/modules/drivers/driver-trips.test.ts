/**
 * The driver's trip history kept from booking events: order, repeats and releases. One file, because the cases share
 * one started app.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthResponse, BookingStatus, DriverTrip } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { logicalShardOf } from '../../platform/db/ids';
import type { OfferStatus } from '../../platform/db/schema';
import type { Delivery } from '../../platform/realtime/realtime-sink.port';
import {
  BOOKING_STATUS_CHANGED,
  type BookingActor,
  type BookingStatusChanged,
} from '../events/booking-events';
import { DriverClaimsRepository } from './driver-claims.repository';
import { availableDriversSet } from './available-drivers';
import { bearer, customerSignup, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import type { DriversModule } from './drivers.module';
import { randomRef } from '../bookings/booking-refs';

const CITY = { lat: 12.9716, lng: 77.5946 };
const PICKUP = { lat: 12.97, lng: 77.59, address: 'MG Road' };
const DROPOFF = { lat: 13.03, lng: 77.64 };
const iso = (ms: number): string => new Date(ms).toISOString();

interface BookingFacts {
  id: string;
  ref: string;
  customerId: string;
  price: number;
}

describe(`driver trips consumer (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  let drivers: DriversModule;
  let claims: DriverClaimsRepository;
  let customer: AuthResponse;

  beforeAll(async () => {
    env = await TestEnvironment.create('drivertrips', { env: { RATE_LIMITS: 'off' } });
    clock = new ManualClock(Date.now());
    app = await env.start({ clock });
    drivers = app.services.drivers;
    claims = new DriverClaimsRepository(app.platform.router);
    customer = await signUp(app, customerSignup());
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function onlineDriver(): Promise<AuthResponse> {
    const driver = await signUp(app, driverSignup());
    await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(driver.token),
      payload: CITY,
    });
    await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(driver.token),
      payload: { online: true },
    });
    return driver;
  }

  /** A booking row as the bookings module stores it, on its customer's shard. */
  async function insertBooking(price: number): Promise<BookingFacts> {
    const { ids, router } = app.platform;
    const id = ids.next(logicalShardOf(customer.user.id));
    const ref = randomRef(logicalShardOf(customer.user.id), 0);
    const now = clock.now();
    await router
      .forId(id)
      .db.insertInto('bookings')
      .values({
        id,
        ref,
        customer_id: customer.user.id,
        driver_id: null,
        status: 'searching',
        vehicle_type: 'van',
        pickup_lat: PICKUP.lat,
        pickup_lng: PICKUP.lng,
        pickup_address: PICKUP.address,
        dropoff_lat: DROPOFF.lat,
        dropoff_lng: DROPOFF.lng,
        dropoff_address: null,
        goods_description: null,
        goods_weight_kg: null,
        price_amount: price,
        currency: 'INR',
        distance_km: 12.5,
        duration_minutes: 34,
        surge_multiplier: 1,
        quote_id: null,
        scheduled_at: null,
        seq: 1,
        offer_wave: 1,
        offered_to: '[]',
        search_started_at: now,
        assigned_at: null,
        picked_up_at: null,
        delivered_at: null,
        cancelled_at: null,
        cancel_reason: null,
        handover_pins: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return { id, ref, customerId: customer.user.id, price };
  }

  function change(
    booking: BookingFacts,
    driverId: string | null,
    to: BookingStatus,
    seq: number,
    at: number,
    actor: BookingActor = { role: 'driver', id: driverId },
  ): BookingStatusChanged {
    return {
      bookingId: booking.id,
      customerId: booking.customerId,
      driverId,
      vehicleType: 'van',
      from: null,
      to,
      seq,
      at,
      actor,
    };
  }

  /** Feeds the consumer directly, as the queue would (at least once, in any order). */
  async function handle(payload: BookingStatusChanged): Promise<void> {
    await drivers.tripsSync.handle(payload);
  }

  async function tripRow(driverId: string, bookingId: string) {
    return app.platform.router
      .forId(driverId)
      .db.selectFrom('driver_jobs')
      .select(['status', 'assigned_at', 'completed_at', 'seq', 'price_amount'])
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
  }

  async function isAvailable(driverId: string): Promise<boolean> {
    return (await app.platform.geo.position(availableDriversSet('van'), driverId)) !== null;
  }

  it('through the outbox relay: assignment creates the trip row, delivery completes it and frees the driver', async () => {
    const driver = await onlineDriver();
    const booking = await insertBooking(45_000);
    const assignedAt = clock.now();
    expect(await claims.claim(driver.user.id, booking.id, assignedAt)).toBe(true);
    await drivers.presence.setActiveTrip(driver.user.id, {
      bookingId: booking.id,
      customerId: booking.customerId,
    });
    expect(await isAvailable(driver.user.id)).toBe(false);

    const bookingDb = app.platform.router.forId(booking.id).db;
    await app.platform.outbox.append(bookingDb, {
      topic: BOOKING_STATUS_CHANGED,
      aggregateId: booking.id,
      payload: change(booking, driver.user.id, 'driver_assigned', 2, assignedAt),
    });
    app.platform.relay.poke();
    await waitFor(async () => (await tripRow(driver.user.id, booking.id)) !== undefined);

    const listed = await app.http.inject({
      method: 'GET',
      url: '/v1/driver/jobs',
      headers: bearer(driver.token),
    });
    expect(listed.json()).toEqual({
      items: [
        {
          bookingId: booking.id,
          // The trip names the booking as its customer sees it.
          bookingRef: booking.ref,
          status: 'driver_assigned',
          vehicleType: 'van',
          pickup: PICKUP,
          dropoff: DROPOFF,
          price: { amount: 45_000, currency: 'INR' },
          distanceKm: 12.5,
          assignedAt: iso(assignedAt),
          completedAt: null,
          // An active trip names its customer, so the driver can call.
          customer: { name: customer.user.name, phone: customer.user.phone },
        },
      ],
      nextCursor: null,
    });
    expect(await isAvailable(driver.user.id)).toBe(false);

    const deliveredAt = assignedAt + 40 * 60_000;
    await app.platform.outbox.append(bookingDb, {
      topic: BOOKING_STATUS_CHANGED,
      aggregateId: booking.id,
      payload: change(booking, driver.user.id, 'delivered', 7, deliveredAt),
    });
    app.platform.relay.poke();
    // The consumer writes the row, then frees the claim, then refreshes availability: wait for the last step.
    await waitFor(
      async () =>
        (await tripRow(driver.user.id, booking.id))?.status === 'delivered' &&
        (await isAvailable(driver.user.id)),
    );

    expect(await tripRow(driver.user.id, booking.id)).toEqual({
      status: 'delivered',
      assigned_at: assignedAt,
      completed_at: deliveredAt,
      seq: 7,
      price_amount: 45_000,
    });
    expect(await claims.holder(driver.user.id)).toBeNull();
    expect(await isAvailable(driver.user.id)).toBe(true);
  });

  it('while a trip is active each accepted ping goes to the booking room and the customer, and stops after', async () => {
    const driver = await onlineDriver();
    const booking = await insertBooking(20_000);
    await claims.claim(driver.user.id, booking.id, clock.now());
    await drivers.presence.setActiveTrip(driver.user.id, {
      bookingId: booking.id,
      customerId: booking.customerId,
    });

    const received: Delivery[] = [];
    const spy = vi.spyOn(app.services.sink, 'deliver').mockImplementation((delivery) => {
      received.push(delivery);
    });
    try {
      const at = clock.now();
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(driver.token),
        payload: { lat: 12.96, lng: 77.58, heading: 90, at: iso(at) },
      });
      expect(response.statusCode).toBe(202);
      expect(received).toEqual([
        {
          rooms: [`booking:${booking.id}`, `user:${booking.customerId}`],
          event: 'driverLocation',
          data: {
            bookingId: booking.id,
            driverId: driver.user.id,
            lat: 12.96,
            lng: 77.58,
            heading: 90,
            at: iso(at),
          },
        },
      ]);

      await handle(change(booking, driver.user.id, 'delivered', 7, at));
      await app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(driver.token),
        payload: { lat: 12.95, lng: 77.58, at: iso(at + 1) },
      });
      // Deliveries are made before the 202: nothing more went out for the finished trip.
      expect(received.filter((delivery) => delivery.event === 'driverLocation')).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('repeated or late events never move a trip row backwards', async () => {
    const driver = await onlineDriver();
    const booking = await insertBooking(30_000);
    const t0 = clock.now();
    await claims.claim(driver.user.id, booking.id, t0);

    const final = {
      status: 'delivered',
      assigned_at: t0,
      completed_at: t0 + 3000,
      seq: 7,
      price_amount: 30_000,
    };
    await handle(change(booking, driver.user.id, 'delivered', 7, t0 + 3000));
    await handle(change(booking, driver.user.id, 'en_route_to_pickup', 3, t0 + 1000));
    await handle(change(booking, driver.user.id, 'driver_assigned', 2, t0));
    expect(await tripRow(driver.user.id, booking.id)).toEqual(final);
    expect(await claims.holder(driver.user.id)).toBeNull();

    await handle(change(booking, driver.user.id, 'delivered', 7, t0 + 3000));
    expect(await tripRow(driver.user.id, booking.id)).toEqual(final);
  });

  it('recomputes availability when a trip is given or ends, not for the moves within it', async () => {
    const driver = await onlineDriver();
    const booking = await insertBooking(32_000);
    const t0 = clock.now();
    await claims.claim(driver.user.id, booking.id, t0);
    const refresh = vi.spyOn(drivers.presence, 'refreshAvailability');
    try {
      await handle(change(booking, driver.user.id, 'driver_assigned', 2, t0));
      expect(refresh).toHaveBeenCalledTimes(1);
      const moves: BookingStatus[] = [
        'en_route_to_pickup',
        'arrived_at_pickup',
        'goods_collected',
        'in_transit',
      ];
      for (const [index, to] of moves.entries()) {
        await handle(change(booking, driver.user.id, to, 3 + index, t0 + (index + 1) * 1000));
      }
      expect(refresh).toHaveBeenCalledTimes(1);
      expect((await tripRow(driver.user.id, booking.id))?.status).toBe('in_transit');
      expect(await isAvailable(driver.user.id)).toBe(false);

      await handle(change(booking, driver.user.id, 'delivered', 7, t0 + 9000));
      expect(refresh).toHaveBeenCalledTimes(2);
      expect(await isAvailable(driver.user.id)).toBe(true);
    } finally {
      refresh.mockRestore();
    }
  });

  it('a released trip is kept as cancelled and frees the driver; a late copy of the release leaves a newer claim alone', async () => {
    const driver = await onlineDriver();
    const first = await insertBooking(25_000);
    const t0 = clock.now();
    await claims.claim(driver.user.id, first.id, t0);
    await handle(change(first, driver.user.id, 'driver_assigned', 2, t0));
    const release = change(first, driver.user.id, 'searching', 3, t0 + 60_000);
    await handle(release);

    expect(await tripRow(driver.user.id, first.id)).toEqual({
      status: 'cancelled',
      assigned_at: t0,
      completed_at: t0 + 60_000,
      seq: 3,
      price_amount: 25_000,
    });
    expect(await claims.holder(driver.user.id)).toBeNull();
    expect(await isAvailable(driver.user.id)).toBe(true);

    const second = await insertBooking(26_000);
    await claims.claim(driver.user.id, second.id, t0 + 120_000);
    await drivers.presence.setActiveTrip(driver.user.id, {
      bookingId: second.id,
      customerId: second.customerId,
    });
    await handle(release);
    expect(await claims.holder(driver.user.id)).toBe(second.id);
    expect(await isAvailable(driver.user.id)).toBe(false);
  });

  it('an event with no driver writes nothing', async () => {
    const booking = await insertBooking(10_000);
    await handle(change(booking, null, 'expired', 4, clock.now(), { role: 'system', id: null }));
    for (const shard of app.platform.router.shards) {
      const rows = await shard.db
        .selectFrom('driver_jobs')
        .select('driver_id')
        .where('booking_id', '=', booking.id)
        .execute();
      expect(rows).toEqual([]);
    }
  });

  describe('a driver with history', () => {
    let driver: AuthResponse;
    const bookings: BookingFacts[] = [];
    let t0 = 0;

    beforeAll(async () => {
      driver = await onlineDriver();
      t0 = clock.now();
      const prices = [45_000, 30_000, 99_900];
      for (const [index, price] of prices.entries()) {
        const booking = await insertBooking(price);
        bookings.push(booking);
        const assignedAt = t0 + index * 3600_000;
        await claims.claim(driver.user.id, booking.id, assignedAt);
        await handle(change(booking, driver.user.id, 'driver_assigned', 2, assignedAt));
        // The last one the driver hands back; the others are delivered.
        const end: BookingStatus = index === 2 ? 'searching' : 'delivered';
        await handle(change(booking, driver.user.id, end, 7, assignedAt + 1800_000));
      }

      const db = app.platform.router.forId(driver.user.id).db;
      const outcomes: OfferStatus[] = ['accepted', 'accepted', 'rejected', 'revoked', 'pending'];
      for (const status of outcomes) {
        await db
          .insertInto('offers')
          .values({
            driver_id: driver.user.id,
            booking_id: app.platform.ids.next(logicalShardOf(customer.user.id)),
            status,
            wave: 1,
            payload: '{}',
            created_at: t0,
            expires_at: t0 + 20_000,
            responded_at: status === 'pending' ? null : t0 + 5000,
          })
          .execute();
      }
      await db
        .updateTable('drivers')
        .set({ rating_sum: 14, rating_count: 3 })
        .where('user_id', '=', driver.user.id)
        .execute();
    });

    it('stats: delivered trips, their earnings, accepted / answered offers, rating to 2 decimals', async () => {
      const response = await app.http.inject({
        method: 'GET',
        url: '/v1/driver/stats',
        headers: bearer(driver.token),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        trips: 2,
        earnings: { amount: 75_000, currency: 'INR' },
        acceptanceRate: 0.6667,
        rating: 4.67,
        ratingCount: 3,
      });
    });

    it('the trip list pages newest assignment first with an opaque cursor', async () => {
      const first = await app.http.inject({
        method: 'GET',
        url: '/v1/driver/jobs?limit=2',
        headers: bearer(driver.token),
      });
      const page = first.json<{ items: DriverTrip[]; nextCursor: string | null }>();
      expect(
        page.items.map((trip) => [trip.bookingId, trip.status, trip.price.amount, trip.completedAt]),
      ).toEqual([
        [bookings[2]?.id, 'cancelled', 99_900, iso(t0 + 2 * 3600_000 + 1800_000)],
        [bookings[1]?.id, 'delivered', 30_000, iso(t0 + 3600_000 + 1800_000)],
      ]);
      expect(page.nextCursor).toEqual(expect.any(String));

      const second = await app.http.inject({
        method: 'GET',
        url: `/v1/driver/jobs?limit=2&cursor=${encodeURIComponent(page.nextCursor ?? '')}`,
        headers: bearer(driver.token),
      });
      const rest = second.json<{ items: DriverTrip[]; nextCursor: string | null }>();
      expect(rest.items.map((trip) => [trip.bookingId, trip.status, trip.assignedAt])).toEqual([
        [bookings[0]?.id, 'delivered', iso(t0)],
      ]);
      expect(rest.nextCursor).toBeNull();
    });
  });
});
