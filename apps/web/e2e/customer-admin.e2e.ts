import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuthResponse, Booking } from '@loadline/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptedBooking,
  apiCall,
  apiGet,
  artifactsDir,
  CONTEXT_SIZES,
  expectNoSeriousViolations,
  launchBrowser,
  PASSWORD,
  shootAndScan,
  shootVariants,
  signIn,
  signUp,
  startServer,
  startTileStub,
  type RunningServer,
  type ShotSize,
  type TileStub,
} from './support';

const ADMIN = { email: 'ops-customer-admin@example.com', password: `admin-${randomUUID()}` };
/** Where no driver ever is: bookings here expire. */
const LONELY = { lat: 13.0358, lng: 77.597, address: 'Hebbal Flyover' };
/** Where the test's driver waits. */
const BUSY = { lat: 12.9716, lng: 77.5946, address: 'MG Road Metro' };
const DROP = { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' };
const REF = /^LL-[0-9A-HJKMNP-TV-Z]{7}$/;

/** Collects uncaught errors of a page (such as a map drawing after it was taken down). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Page script: resolves when a Leaflet zoom animation starts. A MutationObserver sees the class go
 * on at once; polling from the test can miss an animation that lasts 250 ms on a busy machine.
 */
const ZOOM_STARTS = `new Promise((resolve) => {
  const observer = new MutationObserver(() => {
    if (document.querySelector('.leaflet-zoom-anim') !== null) {
      observer.disconnect();
      resolve(undefined);
    }
  });
  observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] });
})`;

describe('customer and admin screens: references, expired bookings, cancelling, drivers, receipts', () => {
  let server: RunningServer;
  let browser: Browser;
  let tiles: TileStub;
  const contexts: BrowserContext[] = [];
  const tag = randomUUID().slice(0, 6);
  let customer: AuthResponse;
  let driver: AuthResponse;
  /** A booking no driver takes, made first so that it has expired by the time its test runs. */
  let expiresEarly: Booking;

  const post = <T>(url: string, body: unknown, token?: string) =>
    apiCall<T>(server.baseUrl, 'POST', url, body, token);

  async function context(size: ShotSize): Promise<BrowserContext> {
    const created = await browser.newContext(CONTEXT_SIZES[size]);
    contexts.push(created);
    return created;
  }

  async function customerPage(size: ShotSize): Promise<Page> {
    return signIn(
      await context(size),
      server.baseUrl,
      { email: customer.user.email, password: PASSWORD },
      '/customer',
    );
  }

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    tiles = await startTileStub();
    [server, browser] = await Promise.all([
      startServer({
        env: {
          RATE_LIMITS: 'off',
          MAP_TILE_URL: tiles.template,
          MAP_TILE_ATTRIBUTION: 'Test tiles',
          // One short wave: a booking no driver takes expires within seconds.
          DISPATCH_MAX_WAVES: '1',
          OFFER_TTL_SECONDS: '6',
        },
        admins: [ADMIN],
      }),
      launchBrowser(),
    ]);
    customer = await signUp(server.baseUrl, {
      name: 'Meera Iyer',
      phone: '+919800000011',
      role: 'customer',
    });
    driver = await signUp(server.baseUrl, {
      name: 'Ravi Kumar',
      phone: '+91 98000 00012',
      role: 'driver',
      vehicle: { type: 'van', plate: `KA05C${tag.slice(0, 4).toUpperCase()}` },
    });
    expiresEarly = await post<Booking>(
      '/v1/bookings',
      { pickup: LONELY, dropoff: DROP, vehicleType: 'bike' },
      customer.token,
    );
  });

  afterAll(async () => {
    await Promise.all(contexts.map((open) => open.close()));
    await browser.close();
    await server.stop();
    await tiles.stop();
  });

  it('an expired booking says why and offers a fresh price for the same trip, a bigger vehicle or later', async () => {
    const expiring = await post<Booking>(
      '/v1/bookings',
      {
        pickup: LONELY,
        dropoff: DROP,
        vehicleType: 'van',
        goods: { description: 'Two chairs', weightKg: 30 },
      },
      customer.token,
    );
    expect(expiring.ref).toMatch(REF);
    const page = await customerPage('desktop');
    const errors = pageErrors(page);
    await page.goto(`${server.baseUrl}/customer/bookings/${expiring.id}`);
    await page
      .getByTestId('booking-ref')
      .filter({ hasText: expiring.ref ?? '' })
      .waitFor();
    expect(await page.getByTestId('booking-tab').textContent()).toContain(expiring.ref);
    await page.locator('[data-testid=booking-status][data-status=expired]').waitFor({ timeout: 30_000 });
    await page.getByTestId('expired-options').waitFor();
    expect(await page.getByTestId('expired-options').textContent()).toContain('No driver accepted in time');
    // The old price is not offered as if it still held.
    expect(await page.getByTestId('booking-price').textContent()).toBe('No longer valid');
    expect(await page.getByTestId('retry-bigger').textContent()).toBe('Try a mini truck');
    await page.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
    await shootAndScan(page, 'customer-expired');

    await page.getByTestId('retry-now').click();
    await page.getByTestId('retry-quote').waitFor();
    expect(await page.getByTestId('retry-price').textContent()).toMatch(/\d/);
    await shootAndScan(page, 'customer-expired-retry');
    await page.getByTestId('retry-book').click();
    await page.waitForURL(
      (url) => /\/customer\/bookings\/\d+$/.test(url.pathname) && !url.pathname.endsWith(expiring.id),
    );
    const retried = page.url().split('/').pop() ?? '';
    const again = await apiGet<Booking>(server.baseUrl, `/v1/bookings/${retried}`, customer.token);
    expect(again).toMatchObject({
      vehicleType: 'van',
      pickup: LONELY,
      dropoff: DROP,
      goods: { description: 'Two chairs', weightKg: 30 },
    });
    expect(again.ref).toMatch(REF);
    expect(again.ref).not.toBe(expiring.ref);
    await page
      .getByTestId('booking-ref')
      .filter({ hasText: again.ref ?? '' })
      .waitFor();

    // Cancelling asks why, in the app: a reason from the list, or "something else" in the customer's words.
    await page.getByTestId('cancel-booking').click();
    const dialog = page.getByTestId('cancel-dialog');
    await dialog.waitFor();
    await page.getByTestId('cancel-reason-other').check();
    await page.getByTestId('confirm-cancel').click();
    expect(await dialog.getByTestId('error').textContent()).toContain('a few words');
    await page.getByTestId('cancel-reason-text').fill('The goods are not packed yet');
    await shootAndScan(page, 'customer-cancel-dialog', { fullPage: false });
    await page.getByTestId('confirm-cancel').click();
    await page.locator('[data-testid=booking-status][data-status=cancelled]').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    const events = await apiGet<{ items: { status: string; actor: { role: string } }[] }>(
      server.baseUrl,
      `/v1/bookings/${retried}/events`,
      customer.token,
    );
    expect(events.items.at(-1)).toMatchObject({ status: 'cancelled', actor: { role: 'customer' } });

    // Schedule for later: the booking form, filled in from the expired booking, with scheduling on.
    await page.goto(`${server.baseUrl}/customer/bookings/${expiring.id}`);
    await page.getByTestId('retry-schedule').click();
    await page
      .getByTestId('prefilled-from')
      .filter({ hasText: expiring.ref ?? '' })
      .waitFor();
    expect(await page.getByTestId('pickup-input').inputValue()).toContain('Hebbal');
    expect(await page.getByTestId('schedule-toggle').count()).toBe(0);
    await page.getByTestId('get-quote').click();
    await page.getByTestId('schedule-at').waitFor();
    expect(await page.getByTestId('schedule-toggle').isChecked()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a map left while it zooms raises no error: an expired booking zoomed with the wheel or the button, then left', async () => {
    const page = await customerPage('desktop');
    const errors = pageErrors(page);
    const map = page.getByTestId('tracking-map');
    /** Opens the booking, zooms its map, and goes to the history while Leaflet is still zooming. */
    const leaveWhileZooming = async (zoom: () => Promise<void>) => {
      await page.goto(`${server.baseUrl}/customer/bookings/${expiresEarly.id}`);
      await page.getByTestId('expired-options').waitFor({ timeout: 30_000 });
      await map.and(page.locator('[data-tiles=loaded]')).waitFor({ timeout: 15_000 });
      const zooming = page.evaluate(ZOOM_STARTS);
      await zoom();
      await zooming;
      // Clicks are dispatched at once: a real click's checks and its wait for a navigation (the zoom
      // button is a link) can outlast the zoom.
      await page.getByTestId('history-tab').dispatchEvent('click');
      await page.getByTestId('history-item').first().waitFor();
      // Leaflet's own timers end a zoom 250 ms after it starts: let them run in this document.
      await page.waitForTimeout(600);
    };
    await leaveWhileZooming(async () => {
      const box = await map.boundingBox();
      if (box === null) {
        throw new Error('the tracking map is not on the page');
      }
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -300);
    });
    await leaveWhileZooming(() => page.locator('.leaflet-control-zoom-in').dispatchEvent('click'));
    expect(errors).toEqual([]);
  });

  it('a reloaded tracking page still names the driver, with vehicle, plate and a call link; the receipt prints', async () => {
    const booking = await acceptedBooking(
      server.baseUrl,
      driver,
      { lat: BUSY.lat + 0.003, lng: BUSY.lng, heading: 180 },
      customer,
      {
        pickup: BUSY,
        dropoff: DROP,
        vehicleType: 'van',
        goods: { description: 'Six cartons of books', weightKg: 90 },
      },
    );
    await post(`/v1/bookings/${booking.id}/status`, { status: 'en_route_to_pickup' }, driver.token);
    await post('/v1/driver/location', { lat: BUSY.lat + 0.002, lng: BUSY.lng, heading: 180 }, driver.token);

    for (const size of ['desktop', 'phone'] as const) {
      const page = await customerPage(size);
      const errors = pageErrors(page);
      await page.goto(`${server.baseUrl}/customer/bookings/${booking.id}`);
      await page.reload();
      await page.getByTestId('driver-name').filter({ hasText: 'Ravi Kumar' }).waitFor();
      expect(await page.getByTestId('driver-info').textContent()).toContain(
        `KA05C${tag.slice(0, 4).toUpperCase()}`,
      );
      expect(await page.getByTestId('driver-info').textContent()).not.toContain('#');
      expect(await page.getByTestId('call-driver').getAttribute('href')).toBe('tel:+919800000012');
      await page.locator('[data-testid=eta][data-eta-to=pickup]').waitFor();
      expect(await page.locator('dt', { hasText: 'ETA to pickup' }).count()).toBe(1);
      await page.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
      if (size === 'desktop') {
        await shootAndScan(page, 'customer-tracking-driver');
      } else {
        await expectNoSeriousViolations(page, `tracking with its driver (${size})`);
      }
      expect(errors).toEqual([]);
    }

    for (const status of ['arrived_at_pickup', 'goods_collected', 'in_transit', 'delivered']) {
      await post(`/v1/bookings/${booking.id}/status`, { status }, driver.token);
    }
    const page = await customerPage('desktop');
    await page.goto(`${server.baseUrl}/customer/bookings/${booking.id}`);
    await page.locator('[data-testid=booking-status][data-status=delivered]').waitFor();
    // Delivered: the driver is still named, without a call link.
    await page.getByTestId('driver-name').filter({ hasText: 'Ravi Kumar' }).waitFor();
    expect(await page.getByTestId('call-driver').count()).toBe(0);
    await page.getByTestId('receipt-link').click();
    await page.waitForURL(`**/customer/bookings/${booking.id}/receipt`);
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('receipt-ref').textContent()).toBe(booking.ref);
    expect(await page.getByTestId('receipt-driver').textContent()).toContain('Ravi Kumar');
    expect(await page.getByTestId('receipt-total').textContent()).toMatch(/\d/);
    expect(await page.getByTestId('booking-tab').textContent()).toContain(booking.ref);
    await shootAndScan(page, 'customer-receipt');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    // Paper has no colour scheme or phone size: one picture.
    await page.screenshot({ path: path.join(artifactsDir, 'customer-receipt-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // History: every booking by its reference; "Book again" fills the form in.
    await page.getByTestId('history-tab').click();
    const item = page.locator(`[data-testid=history-item][data-booking-id="${booking.id}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain(booking.ref);
    expect(await item.textContent()).not.toContain(booking.id);
    await shootAndScan(page, 'customer-history-refs');
    await item.getByTestId('history-book-again').click();
    await page
      .getByTestId('prefilled-from')
      .filter({ hasText: booking.ref ?? '' })
      .waitFor();
    expect(await page.getByTestId('pickup-input').inputValue()).toContain('MG Road');
    expect(await page.getByTestId('goods-weight').inputValue()).toBe('90');
    await shootAndScan(page, 'customer-book-again');
  });

  it('a deep link opened while signed out comes back after signing in', async () => {
    const booking = await post<Booking>(
      '/v1/bookings',
      { pickup: LONELY, dropoff: DROP, vehicleType: 'bike' },
      customer.token,
    );
    const page = await (await context('desktop')).newPage();
    await page.goto(`${server.baseUrl}/customer/bookings/${booking.id}`);
    await page.waitForURL('**/login');
    await page.locator('input[name=email]').fill(customer.user.email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in|log in/i }).click();
    await page.waitForURL(`**/customer/bookings/${booking.id}`);
    await page
      .getByTestId('booking-ref')
      .filter({ hasText: booking.ref ?? '' })
      .waitFor();
  });

  it('admin: unfilled demand on the dashboard and in analytics, bookings filtered and opened, names told apart, suspension behind a menu', async () => {
    // A second driver with the same name: lists tell the two apart by the end of their IDs.
    const namesake = await signUp(server.baseUrl, {
      name: 'Ravi Kumar',
      role: 'driver',
      vehicle: { type: 'bike', plate: `KA05D${tag.slice(0, 4).toUpperCase()}` },
    });
    const admin = await signIn(await context('desktop'), server.baseUrl, ADMIN, '/admin');
    const errors = pageErrors(admin);
    const expiredTile = admin.getByTestId('kpi-expiredToday');
    await expiredTile.waitFor();
    expect(Number(await expiredTile.getAttribute('data-value'))).toBeGreaterThanOrEqual(1);
    expect(await admin.getByTestId('kpi-expiredRate').textContent()).toMatch(/\d+%/);
    const analytics = admin.getByTestId('analytics');
    await analytics.and(admin.locator('[data-state=ready]')).waitFor();
    await admin.getByTestId('expired-by-hour').waitFor();
    expect(await admin.getByTestId('expired-area').first().textContent()).toContain('Hebbal Flyover');
    await admin.locator('[data-testid=fleet-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
    await shootAndScan(admin, 'admin-dashboard-unfilled');
    await shootVariants(admin, 'admin-unfilled-demand', { element: admin.getByTestId('unfilled-demand') });

    // Bookings: by status, by a customer (a click on the name), by reference; a row opens the booking.
    await admin.getByTestId('admin-tab-bookings').click();
    await admin.waitForURL('**/admin/bookings');
    const rows = admin.locator('[data-testid=booking-row]');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    await admin.getByTestId('bookings-status').selectOption('expired');
    await expect
      .poll(async () => admin.locator('[data-testid=booking-row]:not([data-status=expired])').count())
      .toBe(0);
    await rows.first().waitFor();
    await admin.getByTestId('bookings-status').selectOption('');
    await admin.locator('[data-testid=booking-row][data-status=delivered]').waitFor();
    await admin
      .locator('[data-testid=booking-row][data-status=delivered] [data-testid=booking-driver]')
      .first()
      .click();
    await admin.getByTestId('filter-driver').waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('delivered');
    await admin.getByTestId('filter-driver').getByRole('button').click();
    await rows.first().getByTestId('booking-customer').click();
    expect(await admin.getByTestId('filter-customer').textContent()).toContain('Meera Iyer');
    await shootAndScan(admin, 'admin-bookings');
    const delivered = admin.locator('[data-testid=booking-row][data-status=delivered]');
    const deliveredId = (await delivered.getAttribute('data-booking-id')) ?? '';
    const deliveredRef = (await delivered.getByTestId('booking-open').textContent()) ?? '';
    expect(deliveredRef).toMatch(REF);
    await admin.getByTestId('filter-customer').getByRole('button').click();
    await admin.getByTestId('bookings-ref').fill(deliveredRef.slice(3).toLowerCase());
    await admin.getByTestId('bookings-ref').press('Enter');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-booking-id')).toBe(deliveredId);
    // A click anywhere on the row (not on a name) opens the booking: its timeline and its map.
    await rows.first().locator('td[data-label=Route]').click();
    await admin.waitForURL(`**/admin/bookings/${deliveredId}`);
    await admin.getByTestId('detail-ref').filter({ hasText: deliveredRef }).waitFor();
    expect(await admin.getByTestId('detail-customer').textContent()).toBe('Meera Iyer');
    expect(await admin.getByTestId('detail-driver').textContent()).toContain('Ravi Kumar');
    expect(
      await admin
        .locator('[data-testid=booking-detail] [data-testid=timeline-step][data-state=done]')
        .count(),
    ).toBe(6);
    expect(
      await admin.locator('[data-testid=booking-detail] [data-testid=timeline]').textContent(),
    ).toContain('Ravi Kumar (driver)');
    await admin.locator('[data-testid=detail-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
    await shootAndScan(admin, 'admin-booking-detail');

    // Drivers: suspending is one step away, behind each row's menu, and asks first.
    await admin.getByTestId('admin-tab-dashboard').click();
    const row = admin.locator(`[data-testid=driver-row][data-driver-id="${namesake.user.id}"]`);
    await row.waitFor();
    expect(await row.locator('td[data-label=Driver] strong').textContent()).toBe(
      `Ravi Kumar · …${namesake.user.id.slice(-4)}`,
    );
    expect(await admin.getByTestId('suspend-driver').count()).toBe(0);
    await row.getByTestId('driver-actions').click();
    await admin.getByTestId('suspend-driver').click();
    const dialog = admin.getByTestId('suspend-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Suspend Ravi Kumar · …${namesake.user.id.slice(-4)}?`);
    await shootAndScan(admin, 'admin-suspend-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Keep as is' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await row.getAttribute('data-state')).not.toBe('suspended');

    // Vehicles name their drivers; namesakes by the end of their IDs.
    await admin.getByTestId('admin-tab-vehicles').click();
    const drivers = admin.getByTestId('vehicle-driver');
    await drivers.first().waitFor();
    expect((await drivers.allTextContents()).toSorted()).toEqual(
      [`Ravi Kumar · …${driver.user.id.slice(-4)}`, `Ravi Kumar · …${namesake.user.id.slice(-4)}`].toSorted(),
    );

    // Generation says how long it really took.
    await admin.getByTestId('admin-tab-generate').click();
    await admin.getByTestId('generate-entity-users').click();
    await admin.getByTestId('generate-count').fill('50');
    await admin.getByTestId('generate-start').click();
    const job = admin.getByTestId('generation-job').first();
    await job.and(admin.locator('[data-state=completed]')).waitFor({ timeout: 60_000 });
    expect(await job.textContent()).toMatch(/Done in (\d+ ms|\d+\.\d s|\d+ min \d+ s)/);
    expect(await job.textContent()).not.toContain('Done in 0 s');
    // Narrowed to a phone's width, the tab bar brings the current tab back into view.
    await admin.setViewportSize(CONTEXT_SIZES.phone.viewport);
    await expect
      .poll(async () => {
        const box = await admin.getByTestId('admin-tab-generate').boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= CONTEXT_SIZES.phone.viewport.width;
      })
      .toBe(true);
    await admin.setViewportSize(CONTEXT_SIZES.desktop.viewport);
    expect(errors).toEqual([]);

    // A phone: the tabs scroll with the current one in view, tables turn into cards, the fleet map refits.
    const phone = await signIn(await context('phone'), server.baseUrl, ADMIN, '/admin');
    await phone.getByTestId('kpis').waitFor();
    // The analytics tables are cards too: each vehicle type's figures the card's full width.
    const figure = await phone.locator('[data-testid=vehicle-figures] td').first().boundingBox();
    expect(figure !== null && figure.width > 300).toBe(true);
    await phone.locator('[data-testid=fleet-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
    await shootVariants(phone, 'admin-kpis', { element: phone.getByTestId('kpis') });
    await shootVariants(phone, 'admin-drivers', { element: phone.getByTestId('drivers-table') });
    // The same menu and confirmation on a phone, where the drivers table is a column of cards.
    await phone
      .locator(`[data-testid=driver-row][data-driver-id="${namesake.user.id}"]`)
      .getByTestId('driver-actions')
      .click();
    await phone.getByTestId('suspend-driver').click();
    const phoneDialog = phone.getByTestId('suspend-dialog');
    await phoneDialog.waitFor();
    await phoneDialog.getByRole('button', { name: 'Keep as is' }).click();
    await phoneDialog.waitFor({ state: 'hidden' });
    await phone.getByTestId('admin-tab-vehicles').click();
    await phone.getByTestId('vehicle-driver').first().waitFor();
    const tab = await phone.getByTestId('admin-tab-vehicles').boundingBox();
    expect(tab !== null && tab.x >= 0 && tab.x + tab.width <= 390).toBe(true);
    await shootAndScan(phone, 'admin-vehicles');
    await phone.getByTestId('admin-tab-bookings').click();
    await phone.getByTestId('booking-row').first().waitFor();
    const cell = await phone.locator('[data-testid=booking-row] td').first().boundingBox();
    // One card per booking: its cells stack the full width of the card.
    expect(cell !== null && cell.width > 300).toBe(true);
  });
});
