import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { AuthResponse, Booking, CreateBookingBody, SignupBody } from '@loadline/contracts';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { describeFindings, seriousViolations } from './axe-scan';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const artifactsDir = path.join(repoRoot, 'artifacts/e2e');
/** The password of every account the tests sign up. */
export const PASSWORD = 'correct-horse-battery';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  /** The server's own data directory (removed on stop). */
  dataDir: string;
  /** The environment the server runs with (PORT, DATA_DIR, ...). */
  env: Record<string, string>;
  /** Creates an admin through the CLI against this server's DATA_DIR (SQLite WAL lets it write alongside). */
  createAdmin(email: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export interface AdminAccount {
  email: string;
  password: string;
}

export interface StartServerOptions {
  env?: Record<string, string>;
  /** Admins created through `loadline admin create` before the server boots. */
  admins?: AdminAccount[];
}

/** Runs `loadline admin create` with the given environment (DATA_DIR decides which data it writes). */
async function runAdminCreate(env: Record<string, string>, admin: AdminAccount): Promise<void> {
  await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/server/src/main.ts',
      'admin',
      'create',
      '--email',
      admin.email,
      '--password',
      admin.password,
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
  );
}

/** Starts `loadline start` in embedded mode on a spare port with its own data directory. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-e2e-'));
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // A developer's .env in the repository must not change what the tests run against.
    ENV_FILE: 'off',
    ...options.env,
  };
  for (const admin of options.admins ?? []) {
    await runAdminCreate(env, admin);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/main.ts', 'start'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`server did not come up on ${baseUrl}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    dataDir,
    env,
    createAdmin: (email, password) => runAdminCreate(env, { email, password }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Sends `body` to the API as JSON (with `token` as the bearer when given); throws on any answer but 2xx. */
export async function apiCall<T>(
  baseUrl: string,
  method: 'POST' | 'PUT',
  url: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  }
  return (response.status === 204 ? null : await response.json()) as T;
}

/** GETs from the API (with `token` as the bearer); throws on any answer but 2xx. */
export async function apiGet<T>(baseUrl: string, url: string, token: string): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/**
 * Signs up through the API with PASSWORD; a unique email and a name are made up for what `body`
 * leaves out.
 */
export async function signUp(
  baseUrl: string,
  body: Partial<SignupBody> & { role: SignupBody['role'] },
): Promise<AuthResponse> {
  const tag = randomUUID().slice(0, 8);
  return apiCall<AuthResponse>(baseUrl, 'POST', '/v1/auth/signup', {
    email: `${body.role}-${tag}@example.com`,
    password: PASSWORD,
    name: `${body.role} ${tag}`,
    ...body,
  });
}

/** Waits until the driver's offers include `bookingId` (dispatch's first wave comes a moment after a booking). */
export async function waitForOffer(baseUrl: string, driverToken: string, bookingId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const offers = await apiGet<{ items: { bookingId: string }[] }>(
      baseUrl,
      '/v1/driver/offers',
      driverToken,
    );
    if (offers.items.some((offer) => offer.bookingId === bookingId)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`no offer of booking ${bookingId} reached the driver`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A trip under way: `driver` goes online at `driverAt`, `customer` books `trip`, and the driver
 * accepts its offer. Returns the booking as it was made.
 */
export async function acceptedBooking(
  baseUrl: string,
  driver: AuthResponse,
  driverAt: { lat: number; lng: number; heading?: number },
  customer: AuthResponse,
  trip: CreateBookingBody,
): Promise<Booking> {
  await apiCall(baseUrl, 'PUT', '/v1/driver/availability', { online: true }, driver.token);
  await apiCall(baseUrl, 'POST', '/v1/driver/location', driverAt, driver.token);
  const booking = await apiCall<Booking>(baseUrl, 'POST', '/v1/bookings', trip, customer.token);
  await waitForOffer(baseUrl, driver.token, booking.id);
  await apiCall(baseUrl, 'POST', `/v1/driver/offers/${booking.id}/accept`, {}, driver.token);
  return booking;
}

/**
 * Opens a page in `context`, signs in through the login form, and waits until
 * the app is at `at` (`/admin`, `/driver/...`) with its live connection up.
 */
export async function signIn(
  context: BrowserContext,
  baseUrl: string,
  account: { email: string; password: string },
  at: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name=email]').fill(account.email);
  await page.locator('input[name=password]').fill(account.password);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await page.waitForURL(`**${at}`);
  await page.getByTestId('connection-badge').and(page.locator('[data-state=connected]')).waitFor();
  return page;
}

/**
 * Waits until every map tile on the page has loaded and faded in (Leaflet fades a tile in over
 * 0.2 s after it loads, from script), and no zoom animation runs (for the screenshots).
 */
export async function tilesSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const dom = globalThis as unknown as {
        document: {
          querySelectorAll(selector: string): { length: number } & Iterable<{ style: { opacity: string } }>;
        };
      };
      const pending = 'img.leaflet-tile:not(.leaflet-tile-loaded), .leaflet-zoom-anim';
      // Image tiles and the offline grid's canvas tiles both fade in.
      const fading = [...dom.document.querySelectorAll('.leaflet-tile')].some(
        (tile) => tile.style.opacity !== '' && Number(tile.style.opacity) < 1,
      );
      return !fading && dom.document.querySelectorAll(pending).length === 0;
    },
    undefined,
    { timeout: 10_000 },
  );
}

/**
 * Waits until the page holds still for a picture and a scan: the pointer away from every control (no
 * hover state), every map tile loaded and shown, and no colour fading (a switch of colour scheme fades
 * backgrounds for 0.15 s). Other transitions are not waited for (an offer's countdown bar never
 * stops moving): a shot taken with `animations: 'disabled'` ends them.
 */
export async function settled(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await tilesSettled(page);
  await page.waitForFunction(
    () => {
      const dom = globalThis as unknown as {
        document: { getAnimations(): { transitionProperty?: string; playState: string }[] };
      };
      // getAnimations() applies pending style changes first, so a transition just started is counted.
      return !dom.document
        .getAnimations()
        .some(
          (animation) =>
            animation.playState === 'running' && /color|background/.test(animation.transitionProperty ?? ''),
        );
    },
    undefined,
    { timeout: 10_000 },
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 256 px square PNG of one colour: what the tile stub serves, and a photo a test uploads. */
export function solidPng(rgb: [number, number, number]): Buffer {
  const size = 256;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x += 1) {
    row.set(rgb, 1 + x * 3);
  }
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface TileStub {
  /** The tile URL template to configure (MAP_TILE_URL). */
  template: string;
  /** Its base URL, also an OSRM-compatible routing service to configure (ROUTING_URL). */
  baseUrl: string;
  /** Paths asked for, in order (`/tiles/12/2954/1887.png`). */
  requests: string[];
  /** While true every tile answers 503. */
  failing: boolean;
  stop(): Promise<void>;
}

/**
 * An OSRM answer for `/route/v1/driving/lng,lat;lng,lat…`: a road that bends between each pair of
 * waypoints (a detour through a point east of their middle), 1.3 times the straight distance.
 */
function stubRoute(url: string): string {
  const waypoints = (url.split('/route/v1/driving/')[1] ?? '')
    .split('?')[0]
    ?.split(';')
    .map((pair) => pair.split(',').map(Number) as [number, number]);
  const coordinates: [number, number][] = [];
  let km = 0;
  (waypoints ?? []).forEach((point, index, all) => {
    const next = all[index + 1];
    coordinates.push(point);
    if (next !== undefined) {
      coordinates.push([(point[0] + next[0]) / 2 + 0.01, (point[1] + next[1]) / 2]);
      km += Math.hypot(next[0] - point[0], next[1] - point[1]) * 111 * 1.3;
    }
  });
  return JSON.stringify({
    code: 'Ok',
    routes: [
      {
        distance: Math.round(km * 1000),
        duration: Math.round(km * 120),
        geometry: { type: 'LineString', coordinates },
      },
    ],
  });
}

/**
 * A tile server on 127.0.0.1: a pale green PNG for every `/tiles/{z}/{x}/{y}.png`, never cached;
 * and a routing service whose roads bend between the waypoints.
 */
export async function startTileStub(): Promise<TileStub> {
  const tile = solidPng([214, 234, 214]);
  const requests: string[] = [];
  const stub = { failing: false };
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    requests.push(url);
    if (url.startsWith('/route/v1/driving/')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(stubRoute(url));
      return;
    }
    if (stub.failing || !/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url)) {
      response.writeHead(stub.failing ? 503 : 404, { 'cache-control': 'no-store' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(tile);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    template: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`,
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get failing() {
      return stub.failing;
    },
    set failing(value: boolean) {
      stub.failing = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The two sizes every screen is shot at: a desktop window and a phone. */
export const SHOT_SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ShotSize = keyof typeof SHOT_SIZES;
/** A browser context at either size: a desktop window, or a phone (mobile layout, touch). */
export const CONTEXT_SIZES = {
  desktop: { viewport: SHOT_SIZES.desktop },
  phone: { viewport: SHOT_SIZES.phone, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
} as const satisfies Record<ShotSize, BrowserContextOptions>;
export type ShotScheme = 'light' | 'dark';

export interface ShootOptions {
  /** Shoot this element (a card, a section) instead of the page. */
  element?: Locator;
  /** The whole page (the default), or only the viewport (a modal dialog over the page). */
  fullPage?: boolean;
  /** Runs after each variant is saved, with the page still in it (an axe-core scan, say). */
  check?: (variant: { size: ShotSize; scheme: ShotScheme; label: string }) => Promise<void>;
}

/**
 * Whole pages and elements are shot with the sticky header at the page's top: where the page was
 * scrolled to, it would cover what is under it (a section taller than the space below the header).
 */
const STATIC_HEADER = '.topbar { position: static !important; }';

/**
 * Gives a map on the page time to follow a new viewport: Leaflet resizes a frame after the window
 * does and asks for the newly shown tiles on its debounced `moveend`, 200 ms later; until then the
 * widened part is empty and `tilesSettled` has no tile to wait for.
 */
async function mapsFollowResize(page: Page): Promise<void> {
  if ((await page.locator('.leaflet-container').count()) > 0) {
    await page.waitForTimeout(300);
  }
}

/**
 * Saves the screen as it is now at both sizes in both colour schemes, as
 * `{name}-{desktop|phone}-{light|dark}.png`, each once the page has settled. The size the page is at
 * goes first and the schemes alternate, so that a short-lived state (an offer counting down) is shot
 * with as few changes as possible. The page gets its own viewport and colour scheme back afterwards.
 */
export async function shootVariants(page: Page, name: string, options: ShootOptions = {}): Promise<void> {
  const viewport = page.viewportSize();
  const scheme: ShotScheme = await page.evaluate(() =>
    (globalThis as unknown as { matchMedia(query: string): { matches: boolean } }).matchMedia(
      '(prefers-color-scheme: dark)',
    ).matches
      ? 'dark'
      : 'light',
  );
  const sizes: ShotSize[] =
    viewport !== null && viewport.width < SHOT_SIZES.desktop.width
      ? ['phone', 'desktop']
      : ['desktop', 'phone'];
  let schemes: ShotScheme[] = scheme === 'dark' ? ['dark', 'light'] : ['light', 'dark'];
  try {
    for (const size of sizes) {
      const resized = page.viewportSize()?.width !== SHOT_SIZES[size].width;
      await page.setViewportSize(SHOT_SIZES[size]);
      if (resized) {
        await mapsFollowResize(page);
      }
      for (const each of schemes) {
        await page.emulateMedia({ colorScheme: each });
        await settled(page);
        const file = path.join(artifactsDir, `${name}-${size}-${each}.png`);
        const shot = {
          path: file,
          animations: 'disabled' as const,
          ...(options.fullPage === false ? {} : { style: STATIC_HEADER }),
        };
        await (options.element === undefined
          ? page.screenshot({ ...shot, fullPage: options.fullPage ?? true })
          : options.element.screenshot(shot));
        await options.check?.({ size, scheme: each, label: `${name} (${size}, ${each})` });
      }
      schemes = schemes.toReversed();
    }
  } finally {
    await page.emulateMedia({ colorScheme: scheme });
    if (viewport !== null) {
      await page.setViewportSize(viewport);
    }
  }
}

/** Fails on any serious or critical axe-core finding on the page as it is now, naming `what`. */
export async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  expect(findings, `${what}:\n${describeFindings(findings)}`).toEqual([]);
}

/** `shootVariants`, each variant also scanned by axe-core: a serious or critical finding fails the test. */
export function shootAndScan(
  page: Page,
  name: string,
  options: Omit<ShootOptions, 'check'> = {},
): Promise<void> {
  return shootVariants(page, name, {
    ...options,
    check: ({ label }) => expectNoSeriousViolations(page, label),
  });
}
