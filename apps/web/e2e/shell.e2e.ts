import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AuthResponse } from '@loadline/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  artifactsDir,
  launchBrowser,
  shootVariants,
  signIn,
  startServer,
  type RunningServer,
} from './support';

const ADMIN = { email: 'shell-admin@example.com', password: `admin-${randomUUID()}` };
const PASSWORD = 'correct-horse-battery';

describe('web shell in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ admins: [ADMIN] });
    browser = await launchBrowser();
    fs.mkdirSync(artifactsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
  });

  it('serves the landing page at / to visitors, with a way in for each role and no platform status', async () => {
    const page = await browser.newPage();
    const response = await page.goto(server.baseUrl);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Loadline');
    await page.getByTestId('landing').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Move goods');
    for (const role of ['customer', 'driver', 'admin']) {
      await page.getByTestId(`landing-role-${role}`).waitFor();
    }
    expect(await page.getByTestId('health').count()).toBe(0);
    await shootVariants(page, 'shell');

    // Drivers sign up as drivers; operators go to the sign-in page.
    await page.getByTestId('landing-drive').click();
    await page.waitForURL('**/signup?as=driver');
    expect(await page.getByTestId('signup-role-driver').getAttribute('aria-checked')).toBe('true');
    await page.locator('input[name=plate]').waitFor();
    await page.goBack();
    await page.getByTestId('landing-ops').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-form').waitFor();
    await page.close();
  });

  it('serves the app for client-side routes and the envelope for unknown API routes', async () => {
    const page = await browser.newPage();
    const deepLink = await page.goto(`${server.baseUrl}/bookings/123`);
    expect(deepLink?.status()).toBe(200);
    const api = await fetch(`${server.baseUrl}/v1/unknown`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
    await page.close();
  });

  it('a signed-in customer at / goes to their area and sees no platform status', async () => {
    const customer = await apiCall<AuthResponse>(server.baseUrl, 'POST', '/v1/auth/signup', {
      email: `shell-customer-${randomUUID().slice(0, 8)}@example.com`,
      password: PASSWORD,
      name: 'Shell Customer',
      role: 'customer',
    });
    const context = await browser.newContext();
    try {
      const page = await signIn(
        context,
        server.baseUrl,
        { email: customer.user.email, password: PASSWORD },
        '/customer',
      );
      await page.goto(server.baseUrl);
      await page.waitForURL('**/customer');
      await page.getByTestId('connection-badge').waitFor();
      expect(await page.getByTestId('health').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("the admins' platform status follows /readyz: unavailable, with the dependency, during an outage", async () => {
    const context = await browser.newContext();
    try {
      const page = await signIn(context, server.baseUrl, ADMIN, '/admin');
      const health = page.getByTestId('health');
      await health.and(page.locator('[data-state=ready]')).waitFor({ timeout: 15_000 });
      expect(await health.textContent()).toBe('ready');

      // Redis goes away: /readyz answers 503 naming it (the server's own answer, as ops.routes.ts writes it).
      await page.route('**/readyz', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'unavailable',
              message: 'Unavailable: redis.',
              details: { dependencies: ['redis'] },
            },
          }),
        }),
      );
      await health.and(page.locator('[data-state=unavailable]')).waitFor({ timeout: 20_000 });
      expect(await health.textContent()).toBe('unavailable (redis)');
      await shootVariants(page, 'shell-admin-outage');

      // The server itself stops answering.
      await page.route('**/readyz', (route) => route.abort('connectionrefused'));
      await health.and(page.locator('[data-state=unreachable]')).waitFor({ timeout: 20_000 });

      // Back: ready again without a reload.
      await page.unrouteAll();
      await health.and(page.locator('[data-state=ready]')).waitFor({ timeout: 20_000 });
    } finally {
      await context.close();
    }
  });
});
