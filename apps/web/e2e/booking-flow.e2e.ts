import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchBrowser, shootVariants, startServer, type RunningServer } from './support';

const PASSWORD = 'correct-horse-battery';
const ADMIN = { email: 'ops-admin@example.com', password: `admin-${randomUUID()}` };
/** Long enough for a few simulated GPS fixes (one a second) between the driver's steps. */
const DWELL_MS = 3000;

async function signup(
  page: Page,
  baseUrl: string,
  fields: { name: string; email: string; role: 'customer' | 'driver'; plate?: string },
) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByTestId(`signup-role-${fields.role}`).click();
  await page.locator('input[name=name]').fill(fields.name);
  await page.locator('input[name=email]').fill(fields.email);
  await page.locator('input[name=password]').fill(PASSWORD);
  if (fields.plate !== undefined) {
    await page.locator('select[name=vehicleType]').selectOption('van');
    await page.locator('input[name=plate]').fill(fields.plate);
  }
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function waitConnected(page: Page) {
  await page.getByTestId('connection-badge').and(page.locator('[data-state=connected]')).waitFor();
}

/** The centre of the customer's driver marker on screen, or null when it is not drawn. */
async function markerCentre(page: Page): Promise<{ x: number; y: number } | null> {
  const box = await page.getByTestId('driver-marker').boundingBox();
  return box === null
    ? null
    : { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
}

function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

async function onFailureScreenshots(pages: Record<string, Page>, error: unknown): Promise<never> {
  for (const [name, page] of Object.entries(pages)) {
    await page
      .screenshot({ path: path.join(artifactsDir, `failure-${name}.png`), fullPage: true })
      .catch(() => undefined);
  }
  throw error;
}

describe('a whole trip in three browsers: customer, driver on a phone, admin', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    [server, browser] = await Promise.all([
      startServer({ env: { RATE_LIMITS: 'off' }, admins: [ADMIN] }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
  });

  it('books, offers, accepts and drives the trip to delivered; the customer and the admin watch it live', async () => {
    const stamp = Date.now();
    const customerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const driverContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const customer = await customerContext.newPage();
    const driver = await driverContext.newPage();
    const admin = await adminContext.newPage();

    try {
      // Admin: created by the CLI before the server booted; signs in through the login form.
      await admin.goto(`${server.baseUrl}/login`);
      await admin.locator('input[name=email]').fill(ADMIN.email);
      await admin.locator('input[name=password]').fill(ADMIN.password);
      await admin.getByRole('button', { name: /sign in|log in/i }).click();
      await admin.waitForURL('**/admin');
      await waitConnected(admin);
      expect(await admin.getByTestId('current-role').textContent()).toBe('admin');
      await admin.getByTestId('kpi-completedToday').and(admin.locator('[data-value="0"]')).waitFor();
      await admin.getByTestId('bookings-table').or(admin.getByText('No bookings yet.')).waitFor();

      // Driver: signs up on a phone, goes online with simulated GPS.
      await signup(driver, server.baseUrl, {
        name: 'Ravi Driver',
        email: `driver-${stamp}@example.com`,
        role: 'driver',
        plate: `KA01AB${stamp % 10000}`,
      });
      await driver.waitForURL('**/driver');
      await waitConnected(driver);
      await driver.getByTestId('online-toggle').click();
      await driver.getByTestId('online-state').filter({ hasText: 'Online' }).waitFor();
      // No device location here: the developer tools' simulated GPS drives the trip.
      await driver.locator('[data-testid=developer-tools] summary').click();
      await driver.getByTestId('simulate-gps').click();

      // Admin sees the driver on the fleet map (canvas points are counted on the map element) without reloading.
      await admin.locator('[data-testid=fleet-map][data-points="1"]').waitFor({ timeout: 15_000 });
      await admin.locator('[data-testid=fleet-counts][data-available="1"]').waitFor({ timeout: 15_000 });
      await admin
        .getByTestId('kpi-onlineDrivers')
        .and(admin.locator('[data-value="1"]'))
        .waitFor({ timeout: 15_000 });

      // Customer: signs up, quotes and books.
      await signup(customer, server.baseUrl, {
        name: 'Asha Customer',
        email: `customer-${stamp}@example.com`,
        role: 'customer',
      });
      await customer.waitForURL('**/customer');
      await waitConnected(customer);
      expect(await customer.getByTestId('current-role').textContent()).toBe('customer');
      // Pickup by coordinates; drop-off by name from the address search (the built-in places list, no geocoder set).
      await customer.getByTestId('pickup-input').fill('12.9750, 77.6000');
      await customer.getByTestId('dropoff-input').fill('Koraman');
      await customer.getByTestId('place-suggestion').filter({ hasText: 'Koramangala' }).first().click();
      expect(await customer.getByTestId('dropoff-input').inputValue()).toMatch(/^Koramangala/);
      await customer
        .getByTestId('dropoff-input-coordinates')
        .filter({ hasText: '12.93520, 77.62450' })
        .waitFor();
      await customer.getByTestId('vehicle-van').click();
      // Goods heavier than a van carries: a clear message, no price until it fits.
      await customer.getByTestId('goods-description').fill('12 cartons of books');
      await customer.getByTestId('goods-weight').fill('900');
      expect(await customer.getByTestId('goods-error').textContent()).toContain('van carries up to 750 kg');
      expect(await customer.getByTestId('get-quote').isDisabled()).toBe(true);
      await customer.getByTestId('goods-weight').fill('120');
      await customer.getByTestId('goods-error').waitFor({ state: 'detached' });
      await customer.getByTestId('get-quote').click();
      await customer.getByTestId('quote-price').waitFor();
      expect(await customer.getByTestId('quote-price').textContent()).toMatch(/\d/);
      await shootVariants(customer, 'customer-quote');
      await customer.getByTestId('book').click();
      await customer.waitForURL('**/customer/bookings/*');
      await customer.getByTestId('booking-status').waitFor();
      expect(await customer.getByTestId('booking-goods').textContent()).toBe('12 cartons of books · 120 kg');
      // From here on the tracking page must never reload: a full load would drop this flag.
      await customer.evaluate(() => {
        (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
      });

      // Driver: the offer arrives live and is accepted.
      await driver.getByTestId('accept-offer').waitFor({ timeout: 30_000 });
      await shootVariants(driver, 'driver-offer');
      await driver.getByTestId('accept-offer').click();
      await driver.locator('[data-testid=trip-status][data-status=driver_assigned]').waitFor();
      await customer
        .locator('[data-testid=booking-status][data-status=driver_assigned]')
        .waitFor({ timeout: 15_000 });
      await customer
        .locator('[data-testid=timeline-step][data-status=driver_assigned][data-state=current]')
        .waitFor();
      await customer.getByTestId('driver-info').waitFor();
      await customer.getByTestId('driver-marker').waitFor({ timeout: 15_000 });

      const steps = [
        'en_route_to_pickup',
        'arrived_at_pickup',
        'goods_collected',
        'in_transit',
        'delivered',
      ] as const;
      const moved: Record<string, number> = {};
      for (const step of steps) {
        const before = await markerCentre(customer);
        await driver.locator(`[data-testid=next-status][data-next=${step}]`).click();
        if (step === 'delivered') {
          await driver.getByTestId('driver-notice').filter({ hasText: 'Delivered' }).waitFor();
        } else {
          await driver.locator(`[data-testid=trip-status][data-status=${step}]`).waitFor();
        }
        // The customer's page follows without a reload: pill and timeline both show the step as current.
        await customer
          .locator(`[data-testid=booking-status][data-status=${step}]`)
          .waitFor({ timeout: 10_000 });
        await customer
          .locator(`[data-testid=timeline-step][data-status=${step}][data-state=current]`)
          .waitFor({ timeout: 10_000 });
        if (step === 'delivered') {
          break;
        }
        await customer.waitForTimeout(DWELL_MS);
        const after = await markerCentre(customer);
        moved[step] = before === null || after === null ? 0 : distance(before, after);
        if (step === 'in_transit') {
          await admin.locator('[data-testid=fleet-counts][data-busy="1"]').waitFor({ timeout: 10_000 });
          await admin
            .getByTestId('kpi-activeBookings')
            .and(admin.locator('[data-value="1"]'))
            .waitFor({ timeout: 10_000 });
          // A little further along the route, so the screenshot shows the driver between A and B.
          await customer.waitForTimeout(2000);
          await shootVariants(customer, 'customer-tracking');
          await shootVariants(driver, 'driver-trip');
        }
      }
      // Simulated GPS heads for the pickup while en route and for the drop-off once the goods are on board.
      expect(moved.en_route_to_pickup ?? 0, 'marker moves toward the pickup').toBeGreaterThan(2);
      expect(moved.in_transit ?? 0, 'marker moves toward the drop-off').toBeGreaterThan(2);

      // Every step is in the customer's timeline, done, and the page is the same document it was.
      for (const step of ['driver_assigned', ...steps.slice(0, -1)]) {
        await customer.locator(`[data-testid=timeline-step][data-status=${step}][data-state=done]`).waitFor();
      }
      expect(
        await customer.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument),
      ).toBe(true);

      // The customer was told along the way: the bell counts unread notifications live; mark all read clears it.
      await customer.getByTestId('notification-count').waitFor({ timeout: 10_000 });
      await customer.getByTestId('notification-bell').click();
      await customer.getByTestId('notification-item').first().waitFor();
      await shootVariants(customer, 'customer-notifications');
      await customer.getByTestId('mark-all-read').click();
      await customer.getByTestId('notification-count').waitFor({ state: 'detached' });
      expect(await customer.locator('[data-testid=notification-item][data-read=false]').count()).toBe(0);
      await customer.getByTestId('notification-bell').click();

      // The customer rates the delivered trip from the tracking view; the history shows the rating too.
      await customer.getByTestId('rate-trip').getByTestId('star-4').click();
      await customer.getByTestId('rating-comment').fill('Careful with the cartons, on time.');
      await customer.getByTestId('submit-rating').click();
      await customer.locator('[data-testid=booking-rating][data-rating="4"]').waitFor({ timeout: 10_000 });
      await shootVariants(customer, 'customer-rated');
      await customer.getByTestId('history-tab').click();
      await customer
        .locator('[data-testid=history-item] [data-testid=history-rating][data-rating="4"]')
        .waitFor();
      await shootVariants(customer, 'customer-history');

      // Admin: the completed trip is counted live (the `metrics` push), and the table shows it delivered.
      await admin
        .getByTestId('kpi-completedToday')
        .and(admin.locator('[data-value="1"]'))
        .waitFor({ timeout: 15_000 });
      await admin.locator('[data-testid=booking-row][data-status=delivered]').waitFor({ timeout: 10_000 });
      await admin.locator('[data-testid=fleet-map][data-points="1"]').waitFor();
      await admin.locator('[data-testid=driver-row]').first().waitFor();

      // Analytics: the charts show the range's figures; they refresh on the metrics push and every 30 s,
      // and Refresh asks at once (the figures may trail the trip by a moment).
      const analytics = admin.getByTestId('analytics');
      await analytics.and(admin.locator('[data-state=ready]')).waitFor({ timeout: 15_000 });
      for (let attempt = 0; attempt < 20; attempt += 1) {
        if ((await analytics.getAttribute('data-trips-completed')) === '1') {
          break;
        }
        await admin.waitForTimeout(1000);
        await admin.getByTestId('analytics-refresh').click();
      }
      expect(await analytics.getAttribute('data-trips-completed')).toBe('1');
      await admin.locator('[data-testid=chart-bookings] svg .recharts-bar-rectangle').first().waitFor();
      await admin.locator('[data-testid=chart-vehicles] svg .recharts-bar-rectangle').first().waitFor();
      const topDriver = admin.getByTestId('driver-performance-row').first();
      await topDriver.waitFor();
      expect(await topDriver.textContent()).toContain('Ravi Driver');
      await shootVariants(admin, 'admin-analytics', { element: analytics });
      await shootVariants(admin, 'admin-dashboard');

      // Suspension from the drivers table's row menu, after a confirmation: the driver's live connection is
      // closed; lifting it restores the account.
      await admin.locator('[data-testid=driver-row] [data-testid=driver-actions]').first().click();
      await admin.getByTestId('suspend-driver').click();
      await admin.getByTestId('suspend-dialog').getByTestId('confirm').click();
      await admin.locator('[data-testid=driver-row][data-state=suspended]').waitFor({ timeout: 10_000 });
      await driver
        .getByTestId('connection-badge')
        .and(driver.locator('[data-state=offline]'))
        .or(driver.getByTestId('login-form'))
        .first()
        .waitFor({ timeout: 10_000 });
      await admin
        .locator('[data-testid=driver-row][data-state=suspended] [data-testid=driver-actions]')
        .click();
      await admin.getByTestId('unsuspend-driver').click();
      await admin.locator('[data-testid=driver-row][data-state=offline]').waitFor({ timeout: 10_000 });
    } catch (error) {
      await onFailureScreenshots({ customer, driver, admin }, error);
    } finally {
      await Promise.all([customerContext.close(), driverContext.close(), adminContext.close()]);
    }
  });

  it('admin lists users by role, the vehicles, and generates data with live progress', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await context.newPage();
    try {
      await admin.goto(`${server.baseUrl}/login`);
      await admin.locator('input[name=email]').fill(ADMIN.email);
      await admin.locator('input[name=password]').fill(ADMIN.password);
      await admin.getByRole('button', { name: /sign in|log in/i }).click();
      await admin.waitForURL('**/admin');
      await waitConnected(admin);

      // Users: every role; the filter narrows to one (the first test signed up one driver and one customer).
      await admin.getByTestId('admin-tab-users').click();
      await admin.waitForURL('**/admin/users');
      await admin.getByTestId('user-row').first().waitFor();
      await admin.getByTestId('users-role').selectOption('admin');
      await admin.locator('[data-testid=user-row][data-role=admin]').first().waitFor();
      expect(await admin.locator('[data-testid=user-row]:not([data-role=admin])').count()).toBe(0);
      await admin.getByTestId('users-role').selectOption('driver');
      await admin.locator('[data-testid=user-row][data-role=driver]').first().waitFor();
      expect(await admin.locator('[data-testid=user-row]:not([data-role=driver])').count()).toBe(0);
      // An exact email (any letter case) finds the one account, whatever the role filter was.
      await admin.getByTestId('users-role').selectOption('');
      await admin.getByTestId('users-email').fill(ADMIN.email.toUpperCase());
      await admin.getByTestId('users-email').press('Enter');
      await expect.poll(() => admin.locator('[data-testid=user-row]').count()).toBe(1);
      expect(await admin.locator('[data-testid=user-row]').first().getAttribute('data-role')).toBe('admin');
      await admin.getByTestId('users-email').fill('');

      await admin.getByTestId('admin-tab-vehicles').click();
      await admin.locator('[data-testid=vehicle-row][data-type=van]').first().waitFor();

      // Generate data: the job's progress arrives live and ends completed with every row written.
      await admin.getByTestId('admin-tab-generate').click();
      await admin.getByTestId('generate-entity-users').click();
      await admin.getByTestId('generate-count').fill('200');
      await admin.getByTestId('generate-start').click();
      const job = admin.getByTestId('generation-job').first();
      await job.waitFor();
      await job.and(admin.locator('[data-state=completed]')).waitFor({ timeout: 60_000 });
      expect(await job.getAttribute('data-done')).toBe('200');
      expect(await job.getAttribute('data-total')).toBe('200');
      await admin.waitForTimeout(1000); // the bar eases to its new width
      await shootVariants(admin, 'admin-generate');

      await admin.getByTestId('admin-tab-users').click();
      await admin.getByTestId('users-role').selectOption('customer');
      await admin.locator('[data-testid=user-row][data-role=customer]').nth(20).waitFor();
      await shootVariants(admin, 'admin-users');
    } catch (error) {
      await onFailureScreenshots({ admin }, error);
    } finally {
      await context.close();
    }
  });
});
