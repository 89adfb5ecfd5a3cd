import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AuthResponse, Booking } from '@loadline/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptedBooking,
  apiCall,
  artifactsDir,
  CONTEXT_SIZES,
  launchBrowser,
  PASSWORD,
  shootAndScan,
  signIn,
  signUp,
  startServer,
  startTileStub,
  type RunningServer,
  type TileStub,
} from './support';

const PICKUP = { lat: 12.9716, lng: 77.5946, address: 'MG Road Metro' };
const DROP = { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' };

describe('share links: the customer shares a booking, a stranger follows it on a phone, signed out', () => {
  let server: RunningServer;
  let browser: Browser;
  let tiles: TileStub;
  const tag = randomUUID().slice(0, 6);
  const plate = `KA03S${tag.slice(0, 4).toUpperCase()}`;
  let customer: AuthResponse;
  let driver: AuthResponse;
  let booking: Booking;

  const post = <T>(url: string, body: unknown, token?: string) =>
    apiCall<T>(server.baseUrl, 'POST', url, body, token);

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    tiles = await startTileStub();
    [server, browser] = await Promise.all([
      startServer({
        env: { RATE_LIMITS: 'off', MAP_TILE_URL: tiles.template, MAP_TILE_ATTRIBUTION: 'Test tiles' },
      }),
      launchBrowser(),
    ]);
    customer = await signUp(server.baseUrl, {
      name: 'Anita Desai',
      phone: '+919800000021',
      role: 'customer',
    });
    driver = await signUp(server.baseUrl, {
      name: 'Suresh Babu Rao',
      phone: '+919800000022',
      role: 'driver',
      vehicle: { type: 'van', plate },
    });
    booking = await acceptedBooking(
      server.baseUrl,
      driver,
      { lat: PICKUP.lat + 0.01, lng: PICKUP.lng, heading: 180 },
      customer,
      { pickup: PICKUP, dropoff: DROP, vehicleType: 'van' },
    );
  });

  afterAll(async () => {
    // Closing the browser closes every context the test opened.
    await browser.close();
    await server.stop();
    await tiles.stop();
  });

  it('the customer makes a link; opened signed out on a phone it shows status, plate and first name, live; revoked, it says so', async () => {
    const own = await browser.newContext(CONTEXT_SIZES.desktop);
    const page = await signIn(
      own,
      server.baseUrl,
      { email: customer.user.email, password: PASSWORD },
      '/customer',
    );
    await page.goto(`${server.baseUrl}/customer/bookings/${booking.id}`);
    await page.getByTestId('share-tracking-link').click();
    const url = await page.getByTestId('share-link-url').inputValue();
    expect(new URL(url).pathname).toMatch(/^\/t\/[0-9a-z]{1,4}\.[A-Za-z0-9_-]{22}$/);
    await page.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
    await shootAndScan(page, 'share-link-customer');

    const stranger = await browser.newContext(CONTEXT_SIZES.phone);
    const phone = await stranger.newPage();
    await phone.goto(`${server.baseUrl}${new URL(url).pathname}`);
    await phone.locator('[data-testid=share-status][data-status=driver_assigned]').waitFor();
    expect(await phone.getByTestId('share-plate').textContent()).toBe(plate);
    expect(await phone.getByTestId('share-driver').textContent()).toBe('Suresh');
    await phone.locator('[data-testid=share-connection][data-state=connected]').waitFor();
    // Nothing of the customer's reaches the page.
    expect(await phone.locator('body').textContent()).not.toContain('Anita');

    // The driver sets out: the page follows over its share-token socket, without a reload.
    await post(`/v1/bookings/${booking.id}/status`, { status: 'en_route_to_pickup' }, driver.token);
    await post(
      '/v1/driver/location',
      { lat: PICKUP.lat + 0.005, lng: PICKUP.lng, heading: 180 },
      driver.token,
    );
    await phone.locator('[data-testid=share-status][data-status=en_route_to_pickup]').waitFor();
    await phone.getByTestId('driver-marker').waitFor();
    await phone
      .getByTestId('share-eta')
      .filter({ hasText: /\d+ min/ })
      .waitFor();
    await phone.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
    await shootAndScan(phone, 'share-link');

    await page.getByTestId('share-link-revoke').click();
    await page.getByTestId('share-link').waitFor({ state: 'detached' });
    await phone.getByTestId('share-gone').waitFor();
    expect(await phone.getByTestId('share-gone').textContent()).toContain('expired or was revoked');
    await shootAndScan(phone, 'share-link-revoked');
  });
});
