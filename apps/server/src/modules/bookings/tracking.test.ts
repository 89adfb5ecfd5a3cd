/**
 * `GET /v1/bookings/:id/tracking`: each process remembers the driver a
 * booking's tracking last named and reads that driver beside the booking, so a
 * warm read is one Redis round trip; the booking read still decides whom and
 * what the answer shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, Tracking } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import {
  CITY,
  acceptOffer,
  book,
  driveToDelivered,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
} from '../../../test/support/fleet';
import { redisRoundTripsDuring } from '../../../test/support/redis-round-trips';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';

describe(`tracking a booking (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('tracking', { env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function track(customer: AuthResponse, bookingId: string): Promise<Tracking> {
    const response = await app.http.inject({
      url: `/v1/bookings/${bookingId}/tracking`,
      headers: bearer(customer.token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<Tracking>();
  }

  it('names the driver who holds the booking now, though it read another driver for it before', async () => {
    const pickup = offset(CITY, 410);
    const first = await onlineDriver(app, { at: pickup, phone: '+919800000001' });
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
    await acceptOffer(app, first.token, booking.id);
    const before = await track(customer, booking.id);
    expect(before).toMatchObject({
      status: 'driver_assigned',
      driver: { id: first.user.id, phone: '+919800000001' },
    });
    expect(before.driverLocation?.lat).toBeCloseTo(pickup.lat, 5);

    const secondAt = offset(pickup, 0.3);
    const second = await onlineDriver(app, { at: secondAt, phone: '+919800000002' });
    const released = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/jobs/${booking.id}/release`,
      headers: bearer(first.token),
    });
    expect(released.statusCode).toBe(200);
    expect(await track(customer, booking.id)).toEqual({
      status: 'searching',
      driverLocation: null,
      etaMinutes: null,
    });
    await waitForOffer(app, second.token, booking.id);
    await acceptOffer(app, second.token, booking.id);
    for (const read of ['first read of the new driver', 'read again'] as const) {
      const after = await track(customer, booking.id);
      expect(after.driver, read).toMatchObject({ id: second.user.id, phone: '+919800000002' });
      expect(after.driverLocation?.lat, read).toBeCloseTo(secondAt.lat, 5);
      expect(after.etaMinutes, read).toEqual(expect.any(Number));
    }
  });

  it('a finished trip shows neither the phone nor a position, though the last read before showed both', async () => {
    const pickup = offset(CITY, 420);
    const driver = await onlineDriver(app, { at: pickup, phone: '+919800000003' });
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
    await acceptOffer(app, driver.token, booking.id);
    expect((await track(customer, booking.id)).driver?.phone).toBe('+919800000003');
    await driveToDelivered(app, driver.token, booking.id);
    expect(await track(customer, booking.id)).toEqual({
      status: 'delivered',
      driverLocation: null,
      etaMinutes: null,
      driver: {
        id: driver.user.id,
        name: expect.any(String) as unknown,
        phone: null,
        vehicle: expect.any(Object) as unknown,
      },
    });
  });

  it('another customer learns nothing of the booking or its driver', async () => {
    const pickup = offset(CITY, 430);
    const driver = await onlineDriver(app, { at: pickup });
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
    await acceptOffer(app, driver.token, booking.id);
    await track(customer, booking.id);
    const stranger = await newCustomer(app);
    const response = await app.http.inject({
      url: `/v1/bookings/${booking.id}/tracking`,
      headers: bearer(stranger.token),
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(driver.user.id);
  });

  it.runIf(isCluster)(
    'a warm read is one Redis round trip: booking, driver card, position and ETA together',
    async () => {
      const pickup = offset(CITY, 440);
      const driver = await onlineDriver(app, { at: pickup });
      const customer = await newCustomer(app);
      const booking = await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
      await acceptOffer(app, driver.token, booking.id);
      // Warms the booking, the card and the ETA, and names the driver.
      const warm = await track(customer, booking.id);
      expect(warm.etaMinutes).toEqual(expect.any(Number));

      const ours = (_name: string, args: readonly string[]) =>
        args.some((arg) => arg.includes(booking.id) || arg.includes(driver.user.id));
      let answer: Tracking | undefined;
      const { roundTrips, commands } = await redisRoundTripsDuring(ours, async () => {
        answer = await track(customer, booking.id);
      });
      expect(answer).toEqual(warm);
      expect({ roundTrips, commands: commands.length }).toEqual({ roundTrips: 1, commands: 4 });
    },
  );
});
