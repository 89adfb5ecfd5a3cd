import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LoadlineApp } from '../app';
import type { Config } from '../config/config';
import { isAppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { simulatorPassword } from './sim-password';
import { Simulator } from './simulator';

/** The demo's administrator; its password comes from `DEMO_ADMIN_PASSWORD`, or is made up when the account is created. */
export const DEMO_ADMIN = { email: 'admin@loadline.demo', name: 'Demo Administrator' } as const;

/**
 * A small fleet that keeps the admin dashboard busy: simulated time runs 8
 * times faster (a trip takes about 3 minutes), so 25 drivers can serve a
 * booking every 10 seconds in a 6 km city with some to spare.
 */
export const DEMO_FLEET = {
  drivers: 25,
  customers: 10,
  bookingsPerMinute: 6,
  timeScale: 8,
  /** Kilometres around the configured city centre (`CITY_CENTER`). */
  radiusKm: 6,
} as const;

/** Per-IP login and signup allowance of a demo: every simulated account signs in from loopback. */
const DEMO_AUTH_PER_IP = { limit: 600, windowSeconds: 60 } as const;

/**
 * The configuration a demo starts with: the per-IP auth limit raised so the
 * simulated fleet (all on 127.0.0.1) can sign in at once. Every other limit,
 * the per-email one included, stays as configured.
 */
export function demoConfig(config: Config): Config {
  const current = config.rateLimits.authPerIp;
  return {
    ...config,
    rateLimits: {
      ...config.rateLimits,
      authPerIp:
        current.limit / current.windowSeconds >= DEMO_AUTH_PER_IP.limit / DEMO_AUTH_PER_IP.windowSeconds
          ? current
          : DEMO_AUTH_PER_IP,
    },
  };
}

/** The URL this process can reach its own listener at (wildcard hosts mean loopback). */
export function selfUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '' || host === '::' || host === '[::]') {
    return `http://127.0.0.1:${port}`;
  }
  return host.includes(':') && !host.startsWith('[') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Creates the demo administrator with `password` unless it exists; true when it was created now. */
export async function ensureDemoAdmin(app: LoadlineApp, password: string): Promise<boolean> {
  try {
    await app.services.auth.createAccount({ ...DEMO_ADMIN, password, role: 'admin' });
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === 'email_taken') {
      return false;
    }
    throw error;
  }
}

/**
 * `loadline start --demo`: after the app listens, makes sure the demo admin
 * exists and runs the simulator in this process against the app's own
 * address. Returns the stop to call before the app closes.
 */
export async function startDemo(app: LoadlineApp, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const password = app.config.demoAdminPassword ?? randomBytes(12).toString('base64url');
  const created = await ensureDemoAdmin(app, password);
  // Printed, not logged: the logger redacts passwords, and this one is meant to be read.
  const credentials = created
    ? `${DEMO_ADMIN.email} / ${password} (created)`
    : `${DEMO_ADMIN.email} (exists: the password set when it was created, or DEMO_ADMIN_PASSWORD)`;
  process.stdout.write(
    `\nDemo admin: ${credentials}\n` +
      `Simulating ${DEMO_FLEET.drivers} drivers and ${DEMO_FLEET.customers} customers ` +
      `(about ${DEMO_FLEET.bookingsPerMinute} bookings a minute, time x${DEMO_FLEET.timeScale}).\n\n`,
  );
  const address = app.http.server.address() as AddressInfo | null;
  if (address === null) {
    throw new Error('the demo needs the app to listen first');
  }
  const simulator = new Simulator({
    baseUrl: selfUrl(app.config.host, address.port),
    // Kept across restarts (SIMULATOR_PASSWORD or DATA_DIR), so the demo logs in to the fleet it made before.
    password: simulatorPassword(app.config).password,
    drivers: DEMO_FLEET.drivers,
    customers: DEMO_FLEET.customers,
    bookingsPerMinute: DEMO_FLEET.bookingsPerMinute,
    area: {
      center: { ...app.config.generation.center },
      radiusKm: Math.min(DEMO_FLEET.radiusKm, app.config.generation.radiusKm),
    },
    settings: { timeScale: DEMO_FLEET.timeScale },
    logger,
    statusIntervalMs: 30_000,
    onStatus: (s) =>
      logger.info(
        {
          module: 'simulator',
          driversOnline: s.driversOnline,
          // Log fields keep their names: whatever reads the logs keys on them.
          driversOnJob: s.driversOnTrip,
          bookingsCreated: s.bookingsCreated,
          bookingsDelivered: s.bookingsDelivered,
          bookingsExpired: s.bookingsExpired,
          errors: s.errors,
        },
        'demo fleet',
      ),
  });
  await simulator.start();
  return {
    stop: async () => {
      await simulator.stop();
    },
  };
}
