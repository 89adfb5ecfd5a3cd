import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverTrip } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, customerSignup, signUp } from '../../../test/support/factories';
import {
  CITY,
  book,
  driveToDelivered,
  offset,
  onlineDriver,
  waitForOffer,
} from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';

async function tripsOf(app: LoadlineApp, token: string): Promise<DriverTrip[]> {
  const response = await app.http.inject({ url: '/v1/driver/jobs?limit=5', headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: DriverTrip[] }>().items;
}

describe(`what a driver is told about a trip (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('tripdetails', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('offers carry the goods and weight; the active trip names its customer and phone, a finished one does not', async () => {
    const pickup = offset(CITY, 40);
    const driver = await onlineDriver(app, { at: pickup });
    const customer = await signUp(app, customerSignup({ name: 'Meera Rao', phone: '+91 98450 12345' }));
    const booking = await book(app, customer.token, {
      pickup,
      goods: { description: 'Two sofas', weightKg: 85 },
    });

    const offer = await waitForOffer(app, driver.token, booking.id);
    expect(offer.goods).toEqual({ description: 'Two sofas', weightKg: 85 });

    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);
    // The trip list is kept by an event consumer: wait for the row.
    let trip: DriverTrip | undefined;
    await waitFor(async () => {
      trip = (await tripsOf(app, driver.token)).find((item) => item.bookingId === booking.id);
      return trip !== undefined;
    }, 10_000);
    expect(trip?.customer).toEqual({ name: 'Meera Rao', phone: '+91 98450 12345' });

    await driveToDelivered(app, driver.token, booking.id);
    await waitFor(async () => {
      trip = (await tripsOf(app, driver.token)).find((item) => item.bookingId === booking.id);
      return trip?.status === 'delivered';
    }, 10_000);
    expect(trip?.customer).toBeUndefined();
  });
});
