import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Tracking } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { DriversRepository } from './drivers.repository';

describe(`who drives a booking, on its tracking page (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('driver-cards', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('reads a driver card from SQL once, then from the shared cache', async () => {
    const pickup = offset(CITY, 300);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: pickup });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);

    const cards = vi.spyOn(DriversRepository.prototype, 'card');
    try {
      const track = async () => {
        const response = await app.http.inject({
          url: `/v1/bookings/${booking.id}/tracking`,
          headers: bearer(customer.token),
        });
        expect(response.statusCode).toBe(200);
        return response.json<Tracking>().driver;
      };
      const first = await track();
      expect(first).toMatchObject({ id: driver.user.id, name: driver.user.name });
      expect(await track()).toEqual(first);
      expect(cards).toHaveBeenCalledTimes(1);
    } finally {
      cards.mockRestore();
    }
  });
});
