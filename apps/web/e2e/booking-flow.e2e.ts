import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchBrowser, startServer, type RunningServer } from './support';

async function signup(page: Page, baseUrl: string, fields: { name: string; email: string; role: 'customer' | 'driver'; plate?: string }) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByTestId(`signup-role-${fields.role}`).click();
  await page.locator('input[name=name]').fill(fields.name);
  await page.locator('input[name=email]').fill(fields.email);
  await page.locator('input[name=password]').fill('correct-horse-battery');
  if (fields.plate !== undefined) {
    await page.locator('select[name=vehicleType]').selectOption('van');
    await page.locator('input[name=plate]').fill(fields.plate);
  }
  await page.getByRole('button', { name: 'Create account' }).click();
}

describe('customer books, driver accepts, in two browsers', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ RATE_LIMITS: 'off' });
    browser = await launchBrowser();
    fs.mkdirSync(artifactsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
  });

  it('books a van, the driver accepts on a phone and moves it to en route; the customer sees it live', async () => {
    const stamp = Date.now();
    const driverContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const customerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const driver = await driverContext.newPage();
    const customer = await customerContext.newPage();

    await signup(driver, server.baseUrl, { name: 'Ravi Driver', email: `driver-${stamp}@example.com`, role: 'driver', plate: `KA01AB${stamp % 10000}` });
    await driver.waitForURL('**/driver');
    await driver.getByTestId('connection-badge').and(driver.locator('[data-state=connected]')).waitFor();
    await driver.getByTestId('online-toggle').click();
    await driver.getByTestId('online-state').filter({ hasText: 'Online' }).waitFor();

    await signup(customer, server.baseUrl, { name: 'Asha Customer', email: `customer-${stamp}@example.com`, role: 'customer' });
    await customer.waitForURL('**/customer');
    await customer.getByTestId('connection-badge').and(customer.locator('[data-state=connected]')).waitFor();
    expect(await customer.getByTestId('current-role').textContent()).toBe('customer');
    await customer.getByTestId('pickup-input').fill('12.9750, 77.6000');
    await customer.getByTestId('dropoff-input').fill('12.9352, 77.6245');
    await customer.getByTestId('vehicle-van').click();
    await customer.getByTestId('get-quote').click();
    await customer.getByTestId('quote-price').waitFor();
    expect(await customer.getByTestId('quote-price').textContent()).toMatch(/\d/);
    await customer.screenshot({ path: path.join(artifactsDir, 'customer-quote.png') });

    await customer.getByTestId('book').click();
    await customer.waitForURL('**/customer/bookings/*');
    await customer.getByTestId('booking-status').waitFor();

    await driver
      .getByTestId('accept-offer')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        await driver.screenshot({ path: path.join(artifactsDir, 'driver-no-offer.png') });
        await customer.screenshot({ path: path.join(artifactsDir, 'customer-no-offer.png') });
        throw error;
      });
    await driver.screenshot({ path: path.join(artifactsDir, 'driver-offer.png') });
    await driver.getByTestId('accept-offer').click();
    await driver.locator('[data-testid=job-status][data-status=driver_assigned]').waitFor();
    await customer.locator('[data-testid=booking-status][data-status=driver_assigned]').waitFor({ timeout: 15_000 });

    await driver.getByTestId('next-status').click();
    await driver.locator('[data-testid=job-status][data-status=en_route_to_pickup]').waitFor();
    await customer.locator('[data-testid=booking-status][data-status=en_route_to_pickup]').waitFor({ timeout: 15_000 });

    await driver.getByTestId('simulate-gps').click();
    await customer.getByTestId('driver-marker').waitFor({ timeout: 15_000 });
    await driver.waitForTimeout(1500);
    await driver.screenshot({ path: path.join(artifactsDir, 'driver-job.png') });
    await customer.screenshot({ path: path.join(artifactsDir, 'customer-tracking.png') });

    await customerContext.close();
    await driverContext.close();
  });
});
