import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AdminDriver, AuthResponse, Booking } from '@loadline/contracts';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  CONTEXT_SIZES,
  launchBrowser,
  PASSWORD,
  shootVariants,
  signUp,
  startServer,
  startTileStub,
  type RunningServer,
  type TileStub,
} from './support';

const ADMIN = { email: 'maps-admin@example.com', password: `admin-${randomUUID()}` };
const PHONE = CONTEXT_SIZES.phone;
/** Where the mocked phone is: Indiranagar, Bengaluru. */
const HERE = { latitude: 12.9784, longitude: 77.6408 };

async function post<T>(server: RunningServer, url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** Signs in through the login form as `auth`'s user and waits for the live connection on `at`. */
async function openAs(
  context: BrowserContext,
  server: RunningServer,
  auth: AuthResponse,
  at: string,
  password = PASSWORD,
) {
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/login`);
  await page.locator('input[name=email]').fill(auth.user.email);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await page.waitForURL(`**${at}`);
  await page.getByTestId('connection-badge').and(page.locator('[data-state=connected]')).waitFor();
  return page;
}

/** The driver as the admin API sees it (its last known position). */
async function adminView(server: RunningServer, adminToken: string, driverId: string): Promise<AdminDriver> {
  const response = await fetch(`${server.baseUrl}/v1/admin/drivers?limit=100`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const page = (await response.json()) as { items: AdminDriver[] };
  const driver = page.items.find((item) => item.id === driverId);
  if (driver === undefined) {
    throw new Error(`driver ${driverId} not listed`);
  }
  return driver;
}

describe('maps and the driver app in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let tiles: TileStub;
  let adminToken: string;

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    tiles = await startTileStub();
    [server, browser] = await Promise.all([
      startServer({
        env: {
          RATE_LIMITS: 'off',
          MAP_TILE_URL: tiles.template,
          MAP_TILE_ATTRIBUTION: 'Test tiles &copy; Loadline',
          ROUTING_URL: tiles.baseUrl,
        },
        admins: [ADMIN],
      }),
      launchBrowser(),
    ]);
    adminToken = (await post<AuthResponse>(server, '/v1/auth/login', ADMIN)).token;
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
    await tiles.stop();
  });

  it('maps load tiles from the URL the server is configured with, and switch to the grid when tiles fail', async () => {
    const driver = await signUp(server.baseUrl, {
      role: 'driver',
      vehicle: { type: 'van', plate: `KA05MP${Date.now() % 10000}` },
    });
    const context = await browser.newContext(PHONE);
    try {
      const page = await openAs(context, server, driver, '/driver');
      const map = page.getByTestId('driver-map');
      await map.and(page.locator('[data-tiles=loaded]')).waitFor({ timeout: 15_000 });
      expect(tiles.requests.some((url) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url))).toBe(true);
      const base = tiles.template.slice(0, tiles.template.indexOf('{'));
      const sources = await Promise.all(
        (await map.locator('img.leaflet-tile').all()).map(
          async (image) => (await image.getAttribute('src')) ?? '',
        ),
      );
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.every((src) => src.startsWith(base))).toBe(true);
      expect(await map.locator('.leaflet-control-attribution').textContent()).toContain(
        'Test tiles © Loadline',
      );
      expect(await map.locator('.leaflet-control-scale-line').first().textContent()).toMatch(/\d+ (m|km)/);
      await shootVariants(page, 'map-tiles');

      // The tile server goes away: the next load ends on the grid, with no broken tiles left.
      tiles.failing = true;
      const askedBefore = tiles.requests.length;
      await page.reload();
      await map.and(page.locator('[data-tiles=failed]')).waitFor({ timeout: 15_000 });
      expect(tiles.requests.length).toBeGreaterThan(askedBefore);
      expect(await map.locator('img.leaflet-tile').count()).toBe(0);
      expect(await map.locator('canvas.leaflet-tile').count()).toBeGreaterThan(0);
      // The grid follows the colour scheme: tiles drawn in one theme are drawn again in the other.
      const gridColour = () =>
        map
          .locator('canvas.leaflet-tile')
          .first()
          .evaluate((canvas) => {
            const tile = canvas as unknown as {
              getContext(kind: '2d'): {
                getImageData(x: number, y: number, w: number, h: number): { data: Iterable<number> };
              } | null;
            };
            return [...(tile.getContext('2d')?.getImageData(10, 10, 1, 1).data ?? [])];
          });
      expect(await gridColour()).toEqual([232, 237, 243, 255]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(gridColour).toEqual([23, 33, 51, 255]);
      await page.emulateMedia({ colorScheme: 'light' });
      await expect.poll(gridColour).toEqual([232, 237, 243, 255]);
      await shootVariants(page, 'map-grid-fallback');
    } finally {
      tiles.failing = false;
      await context.close();
    }
  });

  it('the driver app goes online with the phone location, follows it, and shows offers and the trip in full', async () => {
    const driver = await signUp(server.baseUrl, {
      role: 'driver',
      name: 'Kiran Driver',
      vehicle: { type: 'van', plate: `KA05GP${Date.now() % 10000}` },
    });
    const context = await browser.newContext({ ...PHONE, geolocation: HERE, permissions: ['geolocation'] });
    try {
      const page = await openAs(context, server, driver, '/driver');
      await page.getByTestId('online-state').filter({ hasText: 'Offline' }).waitFor();
      await shootVariants(page, 'driver-offline');
      await page.getByTestId('online-toggle').click();
      await page.getByTestId('online-state').filter({ hasText: 'Online' }).waitFor();
      await page.locator('[data-testid=location-status][data-state=on]').waitFor({ timeout: 10_000 });
      await page.getByTestId('driver-marker').waitFor();
      // Online with no trips: nothing tells the driver to go online.
      expect(await page.getByText('Go online to get offers').count()).toBe(0);

      // The server has the phone's position, and follows it when the phone moves.
      await expect
        .poll(async () => (await adminView(server, adminToken, driver.user.id)).lastLocation, {
          timeout: 10_000,
        })
        .toMatchObject({ lat: HERE.latitude, lng: HERE.longitude });
      const moved = { latitude: HERE.latitude + 0.005, longitude: HERE.longitude };
      await context.setGeolocation(moved);
      await expect
        .poll(async () => (await adminView(server, adminToken, driver.user.id)).lastLocation?.lat, {
          timeout: 10_000,
        })
        .toBe(moved.latitude);
      await shootVariants(page, 'driver-online');

      // A booking near the phone: the offer says where, how far, what and how heavy.
      const customer = await signUp(server.baseUrl, {
        role: 'customer',
        name: 'Meera Rao',
        phone: '+919845012345',
      });
      const booking = await post<Booking>(
        server,
        '/v1/bookings',
        {
          pickup: {
            lat: moved.latitude + 0.002,
            lng: moved.longitude,
            address: '100 Feet Road, Indiranagar',
          },
          dropoff: { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' },
          vehicleType: 'van',
          goods: { description: 'Two sofas', weightKg: 85 },
        },
        customer.token,
      );
      const offer = page.getByTestId('offer');
      await offer.waitFor({ timeout: 30_000 });
      expect(await offer.getByTestId('offer-pickup').textContent()).toContain('100 Feet Road, Indiranagar');
      expect(await offer.getByTestId('offer-dropoff').textContent()).toContain('Koramangala 5th Block');
      expect(await offer.getByTestId('offer-goods').textContent()).toBe('Two sofas · 85 kg');
      expect(await offer.getByTestId('offer-pickup-distance').textContent()).toMatch(/^0\.\d km to pickup$/);
      await shootVariants(page, 'driver-offer-full');

      await offer.getByTestId('accept-offer').click();
      await page.locator('[data-testid=trip-status][data-status=driver_assigned]').waitFor();
      await page.getByTestId('call-customer').waitFor({ timeout: 10_000 });
      // A routing service is configured: the route on the map follows its roads.
      await page.locator('[data-testid=driver-map][data-route=road]').waitFor({ timeout: 15_000 });
      expect(tiles.requests.some((url) => url.includes('overview=full&geometries=geojson'))).toBe(true);
      expect(await page.getByTestId('trip-customer').textContent()).toContain('Meera Rao');
      expect(await page.getByTestId('call-customer').getAttribute('href')).toBe('tel:+919845012345');
      const pickupLink = await page.getByTestId('navigate').getAttribute('href');
      expect(pickupLink).toContain(`destination=${moved.latitude + 0.002},${moved.longitude}`);
      await shootVariants(page, 'driver-trip-full');

      for (const step of [
        'en_route_to_pickup',
        'arrived_at_pickup',
        'goods_collected',
        'in_transit',
      ] as const) {
        await page.locator(`[data-testid=next-status][data-next=${step}]`).click();
        await page.locator(`[data-testid=trip-status][data-status=${step}]`).waitFor();
      }
      // New stops are drawn along the roads at once.
      await page.locator('[data-testid=driver-map][data-route=road]').waitFor({ timeout: 5_000 });
      // Past the pickup, Navigate leads to the drop-off.
      expect(await page.getByTestId('navigate').getAttribute('href')).toContain(
        'destination=12.9352,77.6245',
      );
      await shootVariants(page, 'driver-trip-in-transit');
      await page.locator('[data-testid=next-status][data-next=delivered]').click();
      await page.getByTestId('driver-notice').filter({ hasText: 'Delivered' }).waitFor();
      expect(
        (await fetch(`${server.baseUrl}/v1/bookings/${booking.id}`, {
          headers: { authorization: `Bearer ${customer.token}` },
        }).then((response) => response.json())) as Booking,
      ).toMatchObject({ status: 'delivered' });

      // Going offline takes the old "Delivered" banner down.
      await page.getByTestId('online-toggle').click();
      await page.getByTestId('online-state').filter({ hasText: 'Offline' }).waitFor();
      await page.getByTestId('driver-notice').waitFor({ state: 'detached' });
      await page.locator('[data-testid=driver-stats]').waitFor();
      await shootVariants(page, 'driver-stats');
    } finally {
      await context.close();
    }
  });

  it('the admin fleet map shows the driver, vehicle and trip of a dot chosen from its list', async () => {
    const plate = `KA05FL${Date.now() % 10000}`;
    const driver = await signUp(server.baseUrl, {
      role: 'driver',
      name: 'Farah Fleet',
      vehicle: { type: 'van', plate },
    });
    const put = await fetch(`${server.baseUrl}/v1/driver/availability`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${driver.token}` },
      body: JSON.stringify({ online: true }),
    });
    expect(put.status).toBe(200);
    await post(server, '/v1/driver/location', { lat: 12.9716, lng: 77.5946 }, driver.token);
    const admin = await post<AuthResponse>(server, '/v1/auth/login', ADMIN);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await openAs(context, server, admin, '/admin', ADMIN.password);
      await page.locator('[data-testid=fleet-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
      await page
        .getByTestId('fleet-pick')
        .locator(`option[value="${driver.user.id}"]`)
        .waitFor({ state: 'attached' });
      await page.getByTestId('fleet-pick').selectOption(driver.user.id);
      const details = page.locator(`[data-testid=fleet-details][data-driver="${driver.user.id}"]`);
      await details.getByTestId('fleet-details-name').filter({ hasText: 'Farah Fleet' }).waitFor();
      expect(await details.textContent()).toContain(plate);
      expect(await details.getByTestId('fleet-details-trip').textContent()).toBe('Available for offers');
      await page.getByTestId('fleet-map').scrollIntoViewIfNeeded();
      await shootVariants(page, 'admin-fleet-details');
    } finally {
      await context.close();
    }
  });

  it('a driver who blocks location is told how to allow it', async () => {
    const driver = await signUp(server.baseUrl, {
      role: 'driver',
      vehicle: { type: 'van', plate: `KA05NL${Date.now() % 10000}` },
    });
    const context = await browser.newContext(PHONE);
    try {
      const page = await openAs(context, server, driver, '/driver');
      await page.getByTestId('online-toggle').click();
      await page.getByTestId('online-state').filter({ hasText: 'Online' }).waitFor();
      const status = page.locator('[data-testid=location-status][data-state=denied]');
      await status.waitFor({ timeout: 10_000 });
      expect(await status.textContent()).toContain('Allow location for this site');
      await shootVariants(page, 'driver-location-blocked');
    } finally {
      await context.close();
    }
  });
});
