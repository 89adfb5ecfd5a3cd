import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, BookingEvent, Coordinates } from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { createLogger } from '../lib/logger';
import { bearer } from '../../test/support/factories';
import { acceptOffer, book, getBooking, offset } from '../../test/support/fleet';
import { baseUrlOf } from '../../test/support/sockets';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';
import type { SimSnapshot } from './sim-stats';
import { Simulator } from './simulator';

const AREA = { center: { lat: 12.9716, lng: 77.5946 }, radiusKm: 2 };

describe(`a simulator run picking up a trip left open (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const password = `sim-${randomBytes(9).toString('base64url')}`;
  const warnings: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => warnings.push(line) });

  /** One driver and one customer who book nothing; a person's pauses 300 times shorter. */
  const simulator = (): Simulator =>
    new Simulator({
      baseUrl: baseUrlOf(app),
      password,
      drivers: 1,
      customers: 1,
      bookingsPerMinute: 0,
      area: AREA,
      seed: 11,
      settings: {
        timeScale: 300,
        pingIntervalMs: { min: 150, max: 300 },
        onlineAtStart: 1,
        togglingShare: 0,
      },
      logger,
      statusIntervalMs: 60_000,
    });

  beforeAll(async () => {
    env = await TestEnvironment.create('simresume');
    app = await env.start({ env: { DISPATCH_EMPTY_WAVE_DELAY_MS: '2000' } });
    await app.listen();
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function signIn(email: string): Promise<AuthResponse> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AuthResponse>();
  }

  async function post(token: string, url: string, payload: object): Promise<void> {
    const response = await app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
    expect(response.statusCode, response.body).toBeLessThan(300);
  }

  it('a driver picked up again at the pickup of a booking with PINs reports it is there and hands over', async () => {
    // A first run makes the accounts and leaves them offline.
    const first = simulator();
    await first.start();
    await first.whenReady();
    await first.stop();

    // The driver takes a booking with PINs 6 km from where simulated vehicles start, and arrives there.
    const driver = await signIn('sim-driver-0001@loadline.test');
    const customer = await signIn('sim-customer-0001@loadline.test');
    const pickup: Coordinates = offset(AREA.center, 6);
    await post(driver.token, '/v1/driver/location', { ...pickup, heading: 0 });
    const online = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(driver.token),
      payload: { online: true },
    });
    expect(online.statusCode, online.body).toBe(200);
    const booking = await book(app, customer.token, {
      pickup,
      dropoff: offset(pickup, 2, 2),
      vehicleType: driver.user.driver?.vehicle.type,
      handoverPins: true,
    });
    await acceptOffer(app, driver.token, booking.id);
    for (const status of ['en_route_to_pickup', 'arrived_at_pickup']) {
      await post(driver.token, `/v1/bookings/${booking.id}/status`, { status });
    }

    // The next run's driver starts wherever its vehicle was placed, resumes the trip, and collects the goods.
    warnings.length = 0;
    const again = simulator();
    await again.start();
    let last: SimSnapshot;
    try {
      await waitFor(
        async () => (await getBooking(app, customer.token, booking.id)).status !== 'arrived_at_pickup',
        30_000,
        100,
      );
    } finally {
      last = await again.stop();
    }
    expect(last.errors, `${JSON.stringify(last.errorKinds)}\n${warnings.join('')}`).toBe(0);
    expect(last.tripsResumed).toBe(1);
    expect(last.pinsEntered).toBeGreaterThanOrEqual(1);
    const events = await app.http.inject({
      url: `/v1/bookings/${booking.id}/events`,
      headers: bearer(customer.token),
    });
    const statuses = events.json<{ items: BookingEvent[] }>().items.map((event) => event.status);
    expect(statuses).toContain('goods_collected');
  }, 90_000);
});
