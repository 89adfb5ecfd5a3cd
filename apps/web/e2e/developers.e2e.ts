import fs from 'node:fs';
import http from 'node:http';
import type { AuthResponse } from '@loadline/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  artifactsDir,
  CONTEXT_SIZES,
  launchBrowser,
  PASSWORD,
  shootAndScan,
  signIn,
  signUp,
  startServer,
  type RunningServer,
} from './support';

/** A webhook receiver on 127.0.0.1 answering 500 to its first request and 200 after. */
async function startReceiver(): Promise<{ url: string; bodies: string[]; stop(): Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(bodies.length === 1 ? 500 : 200).end(bodies.length === 1 ? 'not yet' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('receiver not listening');
  }
  return {
    url: `http://127.0.0.1:${address.port}/loadline`,
    bodies,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** How long a webhook delivery, its retry or its replay may take to arrive and be logged. */
const DELIVERY = { timeout: 20_000, interval: 100 };

describe('developers page: a customer makes an API key and a webhook, reads the delivery log and replays', () => {
  let server: RunningServer;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let customer: AuthResponse;

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    receiver = await startReceiver();
    [server, browser] = await Promise.all([
      startServer({
        env: {
          RATE_LIMITS: 'off',
          MAP_TILE_URL: 'off',
          WEBHOOK_ALLOW_PRIVATE: 'on',
          WEBHOOK_BACKOFF_BASE_MS: '200',
          WEBHOOK_BACKOFF_MAX_MS: '400',
          WEBHOOK_SWEEP_INTERVAL_MS: '100',
        },
      }),
      launchBrowser(),
    ]);
    customer = await signUp(server.baseUrl, { name: 'Meera Iyer', phone: '+919800000031', role: 'customer' });
  });

  afterAll(async () => {
    // Closing the browser closes every context the test opened.
    await browser.close();
    await server.stop();
    await receiver.stop();
  });

  it('keys are shown once and work, webhooks log their attempts and replay, and revoking refuses the key', async () => {
    const context = await browser.newContext(CONTEXT_SIZES.desktop);
    const page = await signIn(
      context,
      server.baseUrl,
      { email: customer.user.email, password: PASSWORD },
      '/customer',
    );
    await page.getByTestId('developers-tab').click();
    await page.waitForURL('**/customer/developers');
    await page.getByText('No API keys yet.').waitFor();
    await page.getByText('No webhooks yet.').waitFor();

    // An API key: shown once, usable at once as the customer.
    await page.locator('input[name=api-key-name]').fill('Order system');
    // Permissions are ticked and unticked; a key needs at least one.
    await page.getByRole('checkbox', { name: 'Read bookings and quotes' }).uncheck();
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByTestId('api-key-form').getByTestId('error').textContent()).toBe(
      'Pick at least one permission.',
    );
    await page.getByRole('checkbox', { name: 'Read bookings and quotes' }).check();
    await page.getByRole('checkbox', { name: 'Create and cancel bookings and quotes' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-api-key-value').textContent()) ?? '';
    expect(key).toMatch(/^llk_[A-Za-z0-9_-]{43}$/);
    await page.getByTestId('api-key').first().waitFor();
    expect(await page.getByTestId('api-keys').textContent()).toContain(key.slice(0, 12));
    expect(await page.getByTestId('api-keys').textContent()).not.toContain(key.slice(12));
    expect(await page.getByTestId('api-key').textContent()).toContain('bookings:read, bookings:write');
    const withKey = await fetch(`${server.baseUrl}/v1/bookings`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(withKey.status).toBe(200);

    // A webhook: its secret once, then an event retried after a 500 and logged.
    await page.locator('input[name=webhook-url]').fill(receiver.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.getByTestId('new-webhook-secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByTestId('delivery-log').getByText('Nothing sent yet', { exact: false }).waitFor();
    await apiCall(
      server.baseUrl,
      'POST',
      '/v1/bookings',
      {
        pickup: { lat: 12.9716, lng: 77.5946, address: 'MG Road Metro' },
        dropoff: { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' },
        vehicleType: 'van',
      },
      customer.token,
    );
    await expect.poll(() => receiver.bodies.length, DELIVERY).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return page.locator('[data-testid=delivery][data-status=succeeded]').count();
      }, DELIVERY)
      .toBe(1);
    expect(await page.getByTestId('delivery-attempts').textContent()).toBe('2');
    await shootAndScan(page, 'developers-shown-once');
    await page.getByTestId('new-webhook-secret').getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('new-api-key').getByRole('button', { name: 'Done' }).click();
    await shootAndScan(page, 'developers');

    await page.getByTestId('replay').click();
    await page.getByText('Sent again', { exact: false }).waitFor();
    await expect.poll(() => receiver.bodies.length, DELIVERY).toBeGreaterThanOrEqual(3);
    expect(receiver.bodies[2]).toBe(receiver.bodies[1]);

    // Revoking asks first, then the key is refused.
    await page.getByTestId('api-key').getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('revoke-key-dialog').getByTestId('confirm').click();
    await page.getByText('No API keys yet.').waitFor();
    const revoked = await fetch(`${server.baseUrl}/v1/bookings`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.status).toBe(401);
  });
});
