import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LoadlineApp } from '../app';
import type { Config } from '../config/config';
import { isAppError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { simulatorPassword } from './sim-password';
import { formatStatusLine } from './sim-stats';
import { Simulator } from './simulator';

/** The demo's administrator; its password comes from `DEMO_ADMIN_PASSWORD`, or is made up when the account is created. */
export const DEMO_ADMIN = { email: 'admin@loadline.demo', name: 'Demo Administrator' } as const;

/**
 * A fleet that keeps the admin dashboard busy and mostly delivers: simulated
 * time runs 8 times faster, so a trip takes 3 to 9 minutes of wall time (bikes
 * the least, trucks the most); customers ask for each vehicle type as often
 * as the fleet has it, so the scarce types (1 truck in 10 drivers) set the
 * pace. 60 drivers keep about a third of them on a trip at 4 bookings a minute,
 * with enough of every type free that few bookings expire (docs: README, Demo).
 */
export const DEMO_FLEET = {
  drivers: 60,
  customers: 15,
  bookingsPerMinute: 4,
  timeScale: 8,
  /** Kilometres around the configured city centre (`CITY_CENTER`). */
  radiusKm: 6,
} as const;

/** Per-IP login and signup allowance of a demo: every simulated account signs in from loopback. */
const DEMO_AUTH_PER_IP = { limit: 600, windowSeconds: 60 } as const;

/**
 * The configuration a demo starts with: the per-IP auth limit raised so the
 * simulated fleet (all on 127.0.0.1) can sign in at once. Every other limit,
 * the per-email one included, stays as configured. `quiet` (LOG_LEVEL unset)
 * logs warnings and errors only: the fleet's requests would bury the demo's
 * own lines.
 */
export function demoConfig(config: Config, { quiet }: { quiet: boolean }): Config {
  const current = config.rateLimits.authPerIp;
  return {
    ...config,
    logLevel: quiet ? 'warn' : config.logLevel,
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

/** The address to open in a browser: `localhost` for a wildcard or loopback bind. */
export function browserUrl(host: string, port: number): string {
  const url = selfUrl(host, port);
  return url === `http://127.0.0.1:${port}` ? `http://localhost:${port}` : url;
}

/** How the banner names the admin's password: made up now, from DEMO_ADMIN_PASSWORD, or set before. */
export type DemoPassword =
  { kind: 'created'; password: string } | { kind: 'configured' } | { kind: 'existing' };

/** The lines printed once the simulated fleet is up: where to go and how to log in. */
export function demoBanner(options: {
  url: string;
  password: DemoPassword;
  drivers: number;
  customers: number;
  quiet: boolean;
}): string {
  const password =
    options.password.kind === 'created'
      ? `${options.password.password}   (made up now and not shown again: keep it)`
      : options.password.kind === 'configured'
        ? 'the value of DEMO_ADMIN_PASSWORD (when the account was created with it)'
        : `the one printed when it was created (npm run cli -- admin reset-password --email ${DEMO_ADMIN.email} sets a new one)`;
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    `  Loadline demo is running: open ${options.url}`,
    '',
    `  Admin login   ${DEMO_ADMIN.email}`,
    `  Password      ${password}`,
    '',
    `  ${options.drivers} simulated drivers and ${options.customers} customers are signed in; about ` +
      `${DEMO_FLEET.bookingsPerMinute} bookings a minute,`,
    `  simulated time ${DEMO_FLEET.timeScale}x faster. A status line follows every 30 s.`,
    options.quiet
      ? '  Logs: warnings and errors only (LOG_LEVEL=info shows every request). Ctrl-C stops.'
      : '  Ctrl-C stops.',
    rule,
    '',
    '',
  ].join('\n');
}

/**
 * `loadline start --demo`: after the app listens, makes sure the demo admin
 * exists and runs the simulator in this process against the app's own
 * address; prints the admin's login as a banner once the fleet is signed in
 * (after the start-up output). Returns the stop to call before the app closes.
 */
export async function startDemo(
  app: LoadlineApp,
  logger: Logger,
  { quiet }: { quiet: boolean },
): Promise<{ stop(): Promise<void> }> {
  const configured = app.config.demoAdminPassword;
  const password = configured ?? randomBytes(12).toString('base64url');
  const created = await ensureDemoAdmin(app, password);
  const address = app.http.server.address() as AddressInfo | null;
  if (address === null) {
    throw new Error('the demo needs the app to listen first');
  }
  const url = browserUrl(app.config.host, address.port);
  const accounts = simulatorPassword(app.config);
  // Printed, not logged: the logger redacts passwords, and the banner is meant to be read.
  process.stdout.write(
    `\nLoadline demo starting at ${url}: signing in ${DEMO_FLEET.drivers} simulated drivers and ` +
      `${DEMO_FLEET.customers} customers (up to a minute the first time); the admin login follows.\n`,
  );
  const simulator = new Simulator({
    baseUrl: selfUrl(app.config.host, address.port),
    // Kept across restarts (SIMULATOR_PASSWORD or DATA_DIR), so the demo logs in to the fleet it made before.
    password: accounts.password,
    // A password made up now means accounts made now: they sign up without a login that would fail first.
    newAccounts: accounts.source === 'created',
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
    onStatus: (s) => {
      if (quiet) {
        process.stdout.write(`${formatStatusLine(s)}\n`);
        return;
      }
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
      );
    },
  });
  await simulator.start();
  void simulator.whenReady().then(() => {
    const ready = simulator.snapshot();
    process.stdout.write(
      demoBanner({
        url,
        password:
          configured !== null
            ? { kind: 'configured' }
            : created
              ? { kind: 'created', password }
              : { kind: 'existing' },
        drivers: ready.driversReady,
        customers: ready.customersReady,
        quiet,
      }),
    );
  });
  return {
    stop: async () => {
      await simulator.stop();
    },
  };
}
