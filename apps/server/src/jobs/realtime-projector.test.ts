import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, Booking } from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { REALTIME_CHANNEL, type Delivery } from '../realtime/deliveries';
import { bearer } from '../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../test/support/fleet';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';

describe(`socket events of the booking lifecycle, through the event bus (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const seen: Delivery[] = [];
  let unsubscribe: () => Promise<void>;

  beforeAll(async () => {
    env = await TestEnvironment.create('projector', {
      env: { RATE_LIMITS: 'off', DISPATCH_OFFERS_PER_WAVE: '5', OFFER_TTL_SECONDS: '30' },
    });
    app = await env.start();
    unsubscribe = await app.platform.bus.subscribe(REALTIME_CHANNEL, (message) => {
      seen.push(message as Delivery);
    });
  });

  afterAll(async () => {
    await unsubscribe();
    await env.destroy();
  });

  function about(bookingId: string): Delivery[] {
    return seen.filter((delivery) => (delivery.data as { bookingId?: string }).bookingId === bookingId);
  }

  it('each change reaches exactly its rooms: offers to drivers, confirmation and statuses to the customer and booking', async () => {
    const pickup = offset(CITY, 500);
    const customer: AuthResponse = await newCustomer(app);
    const winner = await onlineDriver(app, { at: pickup });
    const loser = await onlineDriver(app, { at: offset(pickup, 0.3) });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, winner.token, booking.id);
    await waitForOffer(app, loser.token, booking.id);
    // A driver accepts what it was shown: wait for both offers to go out.
    await waitFor(() => about(booking.id).filter((d) => d.event === 'bookingOffer').length === 2, 10_000);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(winner.token),
    });
    expect(accepted.json<Booking>().status).toBe('driver_assigned');
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected', 'in_transit', 'delivered'] as const) {
      await app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/status`,
        headers: bearer(winner.token),
        payload: { status },
      });
    }
    await waitFor(() => about(booking.id).filter((d) => d.event === 'bookingStatusUpdated').length === 7, 10_000);
    await waitFor(() => about(booking.id).some((d) => d.event === 'offerRevoked'), 10_000);

    const mine = about(booking.id);
    const offers = mine.filter((d) => d.event === 'bookingOffer');
    expect(offers.map((d) => d.rooms).sort()).toEqual([[`driver:${loser.user.id}`], [`driver:${winner.user.id}`]].sort());
    expect(offers[0]?.data).toMatchObject({ bookingId: booking.id, vehicleType: 'van', price: booking.price });

    const revoked = mine.filter((d) => d.event === 'offerRevoked');
    expect(revoked).toEqual([
      { rooms: [`driver:${loser.user.id}`], event: 'offerRevoked', data: { bookingId: booking.id, reason: 'taken' } },
    ]);

    const confirmed = mine.filter((d) => d.event === 'driverConfirmed');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]?.rooms).toEqual([`booking:${booking.id}`, `user:${customer.user.id}`]);
    expect(confirmed[0]?.data).toMatchObject({
      bookingId: booking.id,
      driverId: winner.user.id,
      driver: { name: winner.user.name, vehicle: { type: 'van', plate: winner.user.driver?.vehicle.plate } },
    });
    expect((confirmed[0]?.data as { etaMinutes: number | null }).etaMinutes).not.toBeNull();

    const statuses = mine
      .filter((d) => d.event === 'bookingStatusUpdated')
      .map((d) => d.data as { status: string; seq: number })
      .sort((a, b) => a.seq - b.seq);
    expect(statuses.map((s) => [s.seq, s.status])).toEqual([
      [1, 'searching'],
      [2, 'driver_assigned'],
      [3, 'en_route_to_pickup'],
      [4, 'arrived_at_pickup'],
      [5, 'goods_collected'],
      [6, 'in_transit'],
      [7, 'delivered'],
    ]);
    const first = mine.find((d) => d.event === 'bookingStatusUpdated' && (d.data as { seq: number }).seq === 1);
    expect(first?.rooms).toEqual([`booking:${booking.id}`, `user:${customer.user.id}`]);
    const later = mine.find((d) => d.event === 'bookingStatusUpdated' && (d.data as { seq: number }).seq === 3);
    expect(later?.rooms).toEqual([`booking:${booking.id}`, `user:${customer.user.id}`, `driver:${winner.user.id}`]);
    // Nothing is ever addressed to everyone.
    expect(seen.every((delivery) => delivery.rooms.length > 0 && !delivery.rooms.includes('*'))).toBe(true);
  });

  it('a driver position during an active job goes to the booking and its customer only', async () => {
    const pickup = offset(CITY, 520);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: pickup });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    await app.http.inject({ method: 'POST', url: `/v1/driver/offers/${booking.id}/accept`, headers: bearer(driver.token) });
    const at = new Date().toISOString();
    const moved = offset(pickup, 0.2);
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(driver.token),
      payload: { ...moved, heading: 10, at },
    });
    expect(response.statusCode).toBe(202);
    await waitFor(() => about(booking.id).some((d) => d.event === 'driverLocation'));
    expect(about(booking.id).filter((d) => d.event === 'driverLocation')).toEqual([
      {
        rooms: [`booking:${booking.id}`, `user:${customer.user.id}`],
        event: 'driverLocation',
        data: { bookingId: booking.id, driverId: driver.user.id, lat: moved.lat, lng: moved.lng, heading: 10, at },
      },
    ]);
  });
});
