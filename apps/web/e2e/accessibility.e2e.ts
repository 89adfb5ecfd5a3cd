import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AuthResponse, Booking } from '@loadline/contracts';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFindings, seriousViolations, type AxeFinding } from './axe-scan';
import {
  acceptedBooking,
  apiCall,
  artifactsDir,
  CONTEXT_SIZES,
  launchBrowser,
  PASSWORD,
  shootAndScan,
  shootVariants,
  signIn,
  signUp,
  startServer,
  startTileStub,
  tilesSettled,
  type RunningServer,
  type TileStub,
} from './support';

const ADMIN = { email: 'a11y-admin@example.com', password: `admin-${randomUUID()}` };
/** The driver's phone and the booking's pickup: MG Road, Bengaluru. */
const HERE = { latitude: 12.9756, longitude: 77.6066 };
/** Each screen opens in a desktop window; shootVariants adds the phone size. */
const DESKTOP = CONTEXT_SIZES.desktop;
/** The page background of each theme (`--bg`): what tells the theme that rendered. */
const PAGE_BACKGROUND = { light: 'rgb(244, 246, 249)', dark: 'rgb(11, 18, 32)' } as const;

type Account = { email: string; password: string };

interface Screen {
  name: string;
  /** Who is signed in (null: a visitor) and the home they land on. */
  account: { credentials: Account; home: string } | null;
  path: string;
  /** Resolves once the screen shows what it is for (its data loaded, its map drawn). */
  ready(page: Page): Promise<void>;
  /** Extra context options (the driver's phone has a location). */
  context?: BrowserContextOptions;
}

/** The root element's background (the page's `--bg`). */
async function pageBackground(page: Page): Promise<string> {
  return page.locator(':root').evaluate((element) => {
    const dom = globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } };
    return dom.getComputedStyle(element).backgroundColor;
  });
}

/** The CSS filter on the map's tiles (`none` when there is none), or null without a map. */
async function tileFilter(page: Page): Promise<string | null> {
  const pane = page.locator('.leaflet-tile-pane').first();
  if ((await pane.count()) === 0) {
    return null;
  }
  return pane.evaluate((element) => {
    const dom = globalThis as unknown as { getComputedStyle(element: unknown): { filter: string } };
    return dom.getComputedStyle(element).filter;
  });
}

describe('every main screen: light and dark, desktop and phone, and an axe-core scan', () => {
  let server: RunningServer;
  let browser: Browser;
  let tiles: TileStub;
  let customer: AuthResponse;
  let driver: AuthResponse;
  let booking: Booking;

  beforeAll(async () => {
    fs.mkdirSync(artifactsDir, { recursive: true });
    tiles = await startTileStub();
    [server, browser] = await Promise.all([
      startServer({
        env: { RATE_LIMITS: 'off', MAP_TILE_URL: tiles.template, MAP_TILE_ATTRIBUTION: 'Test tiles' },
        admins: [ADMIN],
      }),
      launchBrowser(),
    ]);
    const tag = randomUUID().slice(0, 8);
    const post = <T>(url: string, body: unknown, token?: string) =>
      apiCall<T>(server.baseUrl, 'POST', url, body, token);
    customer = await signUp(server.baseUrl, {
      name: 'Asha Rao',
      phone: '+919800000001',
      role: 'customer',
    });
    driver = await signUp(server.baseUrl, {
      name: 'Ravi Kumar',
      phone: '+919800000002',
      role: 'driver',
      vehicle: { type: 'van', plate: `KA01A${tag.slice(0, 4).toUpperCase()}` },
    });
    // A trip under way: the driver accepted the booking and is on the way to the pickup.
    booking = await acceptedBooking(
      server.baseUrl,
      driver,
      { lat: HERE.latitude, lng: HERE.longitude },
      customer,
      {
        pickup: { lat: HERE.latitude + 0.004, lng: HERE.longitude, address: 'Church Street, Bengaluru' },
        dropoff: { lat: 12.9352, lng: 77.6245, address: 'Koramangala 5th Block' },
        vehicleType: 'van',
        goods: { description: 'Six cartons of books', weightKg: 90 },
      },
    );
    await post(`/v1/bookings/${booking.id}/status`, { status: 'en_route_to_pickup' }, driver.token);
    await post('/v1/driver/location', { lat: HERE.latitude + 0.001, lng: HERE.longitude }, driver.token);
  });

  afterAll(async () => {
    await browser.close();
    await server.stop();
    await tiles.stop();
  });

  const screens = (): Screen[] => [
    {
      name: 'landing',
      account: null,
      path: '/',
      ready: (page) => page.getByTestId('landing').waitFor(),
    },
    {
      name: 'login',
      account: null,
      path: '/login',
      ready: (page) => page.getByTestId('login-form').waitFor(),
    },
    {
      name: 'signup',
      account: null,
      path: '/signup?as=driver',
      ready: (page) => page.locator('input[name=plate]').waitFor(),
    },
    {
      name: 'customer-booking',
      account: { credentials: { email: customer.user.email, password: PASSWORD }, home: '/customer' },
      path: '/customer',
      ready: async (page) => {
        await page.locator('[data-testid=vehicle-van][aria-checked=true]').waitFor();
        await page.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
        await tilesSettled(page);
      },
    },
    {
      name: 'customer-tracking',
      account: { credentials: { email: customer.user.email, password: PASSWORD }, home: '/customer' },
      path: `/customer/bookings/${booking.id}`,
      ready: async (page) => {
        await page.locator('[data-testid=booking-status][data-status=en_route_to_pickup]').waitFor();
        await page.getByTestId('driver-marker').waitFor({ timeout: 15_000 });
        await page.locator('[data-tiles=loaded]').first().waitFor({ timeout: 15_000 });
        await tilesSettled(page);
      },
    },
    {
      name: 'customer-history',
      account: { credentials: { email: customer.user.email, password: PASSWORD }, home: '/customer' },
      path: '/customer/history',
      ready: (page) => page.getByTestId('history-item').first().waitFor(),
    },
    {
      name: 'driver',
      account: { credentials: { email: driver.user.email, password: PASSWORD }, home: '/driver' },
      path: '/driver',
      context: {
        geolocation: { latitude: HERE.latitude + 0.001, longitude: HERE.longitude },
        permissions: ['geolocation'],
      },
      ready: async (page) => {
        await page.locator('[data-testid=trip-status][data-status=en_route_to_pickup]').waitFor();
        await page.locator('[data-testid=driver-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
        await tilesSettled(page);
      },
    },
    {
      name: 'admin-dashboard',
      account: { credentials: ADMIN, home: '/admin' },
      path: '/admin',
      ready: async (page) => {
        await page.getByTestId('kpis').waitFor();
        await page.locator('[data-testid=fleet-map][data-points="1"]').waitFor({ timeout: 15_000 });
        await page.locator('[data-testid=fleet-map][data-tiles=loaded]').waitFor({ timeout: 15_000 });
        await tilesSettled(page);
        await page.locator('[data-testid=health][data-state=ready]').waitFor({ timeout: 15_000 });
      },
    },
    {
      name: 'admin-users',
      account: { credentials: ADMIN, home: '/admin' },
      path: '/admin/users',
      ready: (page) => page.getByTestId('user-row').first().waitFor(),
    },
  ];

  it('each screen renders in both themes at both sizes with no serious or critical axe violation', async () => {
    const findings: string[] = [];
    for (const screen of screens()) {
      const context = await browser.newContext({ ...DESKTOP, ...screen.context });
      try {
        let page: Page;
        if (screen.account === null) {
          page = await context.newPage();
          await page.goto(`${server.baseUrl}${screen.path}`);
        } else {
          page = await signIn(context, server.baseUrl, screen.account.credentials, screen.account.home);
          if (screen.path !== screen.account.home) {
            await page.goto(`${server.baseUrl}${screen.path}`);
          }
        }
        await screen.ready(page);
        await shootVariants(page, `a11y-${screen.name}`, {
          check: async ({ scheme, label }) => {
            expect(await pageBackground(page), `${label} background`).toBe(PAGE_BACKGROUND[scheme]);
            const filter = await tileFilter(page);
            if (filter !== null) {
              // Tiles dimmed a little in the dark theme, untouched in the light one.
              expect(filter, `${label} tiles`).toMatch(scheme === 'dark' ? /brightness\(0\.78\)/ : /^none$/);
            }
            const found: AxeFinding[] = await seriousViolations(page);
            if (found.length > 0) {
              findings.push(`${label}:\n${describeFindings(found)}`);
            }
          },
        });
      } finally {
        await context.close();
      }
    }
    expect(findings.join('\n\n')).toBe('');
  });

  it('the vehicle choice is one radio group: one Tab stop, arrow keys choose', async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await signIn(
        context,
        server.baseUrl,
        { email: customer.user.email, password: PASSWORD },
        '/customer',
      );
      const focused = () =>
        page.evaluate(() => {
          const dom = globalThis as unknown as {
            document: { activeElement: { getAttribute(name: string): string | null } | null };
          };
          return dom.document.activeElement?.getAttribute('data-testid') ?? null;
        });
      const group = page.getByRole('radiogroup', { name: 'Vehicle type' });
      await group.waitFor();
      const radios = group.getByRole('radio');
      // Only the checked vehicle is in the Tab order.
      const tabIndexes = await radios.evaluateAll((elements) =>
        elements.map((element) => (element as unknown as { tabIndex: number }).tabIndex),
      );
      expect(tabIndexes.filter((index) => index === 0)).toHaveLength(1);
      expect(await group.locator('[aria-checked=true]').getAttribute('tabindex')).toBe('0');

      await page.getByTestId('vehicle-van').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.getByTestId('vehicle-mini_truck').getAttribute('aria-checked')).toBe('true');
      expect(await page.getByTestId('vehicle-van').getAttribute('aria-checked')).toBe('false');
      expect(await focused()).toBe('vehicle-mini_truck');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      expect(await focused()).toBe('vehicle-bike');
      expect(await page.getByTestId('vehicle-bike').getAttribute('aria-checked')).toBe('true');
      await page.keyboard.press('End');
      expect(await focused()).toBe('vehicle-truck');

      // Tab leaves the group at once; Shift+Tab comes back to the chosen vehicle.
      await page.keyboard.press('Tab');
      expect(await focused()).not.toMatch(/^vehicle-/);
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('vehicle-truck');
    } finally {
      await context.close();
    }
  });

  it("the admin's range presets and generation choice are radio groups: one Tab stop each, arrow keys choose", async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await signIn(context, server.baseUrl, ADMIN, '/admin');
      const oneTabStop = async (name: string) => {
        const group = page.getByRole('radiogroup', { name });
        await group.waitFor();
        const tabIndexes = await group
          .getByRole('radio')
          .evaluateAll((elements) =>
            elements.map((element) => (element as unknown as { tabIndex: number }).tabIndex),
          );
        expect(tabIndexes.filter((index) => index === 0)).toHaveLength(1);
        expect(await group.locator('[aria-checked=true]').getAttribute('tabindex')).toBe('0');
      };

      await oneTabStop('Quick ranges');
      await page.getByTestId('range-30').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.getByTestId('range-90').getAttribute('aria-checked')).toBe('true');
      expect(await page.getByTestId('range-30').getAttribute('aria-checked')).toBe('false');
      await page.keyboard.press('Home');
      expect(await page.getByTestId('range-7').getAttribute('aria-checked')).toBe('true');

      await page.getByTestId('admin-tab-generate').click();
      await oneTabStop('What to generate');
      await page.getByTestId('generate-entity-users').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.getByTestId('generate-entity-drivers').getAttribute('aria-checked')).toBe('true');
      await page.keyboard.press('End');
      expect(await page.getByTestId('generate-entity-bookings').getAttribute('aria-checked')).toBe('true');
    } finally {
      await context.close();
    }
  });

  it('the canvas fleet map has a list alternative the keyboard reaches: each driver, status and a way to show it', async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await signIn(context, server.baseUrl, ADMIN, '/admin');
      await page.locator('[data-testid=fleet-map][data-points="1"]').waitFor({ timeout: 15_000 });
      const list = page.getByTestId('fleet-list');
      const summary = list.locator('summary');
      expect(await summary.textContent()).toBe('Fleet as a list (1 driver)');
      // Folded: no rows until it is opened, from the keyboard.
      expect(await page.getByTestId('fleet-list-row').count()).toBe(0);
      await summary.focus();
      await page.keyboard.press('Enter');
      const row = page.locator(`[data-testid=fleet-list-row][data-driver="${driver.user.id}"]`);
      await row.waitFor();
      expect(await row.locator('.state').textContent()).toBe('busy');
      expect(await row.textContent()).toContain(`Van …${driver.user.id.slice(-6)}`);
      await row.getByTestId('fleet-list-show').focus();
      await page.keyboard.press('Enter');
      const details = page.locator(`[data-testid=fleet-details][data-driver="${driver.user.id}"]`);
      await details.getByTestId('fleet-details-name').filter({ hasText: 'Ravi Kumar' }).waitFor();
      expect(await row.getByTestId('fleet-list-show').getAttribute('aria-pressed')).toBe('true');
      await shootAndScan(page, 'a11y-admin-fleet-list');
    } finally {
      await context.close();
    }
  });
});
