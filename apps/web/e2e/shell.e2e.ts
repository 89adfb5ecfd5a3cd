import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchBrowser, startServer, type RunningServer } from './support';

describe('web shell in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    fs.mkdirSync(artifactsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
  });

  it('serves the built app at / and shows the platform as ready', async () => {
    const page = await browser.newPage();
    const response = await page.goto(server.baseUrl);
    expect(response?.status()).toBe(200);
    await page.getByTestId('health').filter({ hasText: 'ready' }).waitFor({ timeout: 15_000 });
    expect(await page.title()).toBe('Loadline');
    await page.screenshot({ path: path.join(artifactsDir, 'shell.png') });
  });

  it('serves the app for client-side routes and the envelope for unknown API routes', async () => {
    const page = await browser.newPage();
    const deepLink = await page.goto(`${server.baseUrl}/bookings/123`);
    expect(deepLink?.status()).toBe(200);
    const api = await fetch(`${server.baseUrl}/v1/unknown`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
