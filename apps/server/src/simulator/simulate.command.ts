import { parseArgs } from 'node:util';
import type { Config } from '../config/config';
import { createLogger } from '../lib/logger';
import { DEFAULT_AREA, parseArea, type Area } from './paths';
import { simulatorPassword } from './sim-password';
import { DEFAULT_SETTINGS } from './sim-settings';
import { formatStatusLine, type SimSnapshot } from './sim-stats';
import { defaultBookingRate, Simulator } from './simulator';

export const SIMULATE_USAGE = `loadline simulate --drivers N --customers M [options]

Drives a simulated fleet against a running server through its public API and sockets.
Its accounts (sim-driver-0001@loadline.test, ...) use SIMULATOR_PASSWORD, or a password made
up on the first run and kept in $DATA_DIR/simulator-password.
  --url URL                  server origin (default http://127.0.0.1:$PORT, PORT defaulting to 3000)
  --drivers N                drivers, vehicles of every type (default 10)
  --customers M              customers (default 5)
  --booking-rate R           bookings per minute across all customers (default drivers / 10 x time scale, at least 1)
  --duration S               stop after S seconds (default: until Ctrl-C)
  --area LAT,LNG,KM          the city disc (default 12.9716,77.5946,8: Bengaluru)
  --accept-probability P     share of offers a driver accepts (default 0.8)
  --seed N                   seed of every random choice (default 1)
  --time-scale K             simulated time runs K times faster (default 1)
`;

export interface SimulateArgs {
  url: string;
  drivers: number;
  customers: number;
  bookingsPerMinute: number;
  durationSeconds: number | null;
  area: Area;
  acceptProbability: number;
  seed: number;
  timeScale: number;
}

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  limits: { min: number; max: number; whole?: boolean },
): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  const whole = limits.whole ?? false;
  if (raw.trim() === '' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a ${whole ? 'whole number' : 'number'}, got "${raw}"`);
  }
  if (value < limits.min || value > limits.max) {
    throw new Error(`--${name} must be between ${limits.min} and ${limits.max}, got ${value}`);
  }
  return value;
}

/** Parses the flags of `loadline simulate`; a bad value throws naming its flag. */
export function parseSimulateArgs(
  argv: readonly string[],
  defaultPort: number,
  defaultArea: Area = DEFAULT_AREA,
): SimulateArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      drivers: { type: 'string' },
      customers: { type: 'string' },
      'booking-rate': { type: 'string' },
      duration: { type: 'string' },
      area: { type: 'string' },
      'accept-probability': { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
    },
    allowPositionals: false,
  });
  const url = values.url ?? `http://127.0.0.1:${defaultPort}`;
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new Error(`--url must be an http(s) origin, got "${url}"`);
  }
  const drivers = number('drivers', values.drivers, 10, { min: 0, max: 20_000, whole: true });
  const timeScale = number('time-scale', values['time-scale'], 1, { min: 0.1, max: 1_000 });
  return {
    url,
    drivers,
    customers: number('customers', values.customers, 5, { min: 0, max: 20_000, whole: true }),
    bookingsPerMinute: number(
      'booking-rate',
      values['booking-rate'],
      defaultBookingRate(drivers, timeScale),
      {
        min: 0,
        max: 60_000,
      },
    ),
    durationSeconds:
      values.duration === undefined
        ? null
        : number('duration', values.duration, 0, { min: 1, max: 30 * 86_400 }),
    area: values.area === undefined ? defaultArea : parseArea(values.area),
    acceptProbability: number(
      'accept-probability',
      values['accept-probability'],
      DEFAULT_SETTINGS.acceptProbability,
      { min: 0, max: 1 },
    ),
    seed: number('seed', values.seed, 1, { min: 0, max: 2 ** 32 - 1, whole: true }),
    timeScale,
  };
}

function summary(snapshot: SimSnapshot): string {
  const lines = [
    `simulated ${Math.round(snapshot.elapsedSeconds)} s: ${snapshot.accountsCreated} accounts created, ${snapshot.accountsLoggedIn} logged in`,
    `quotes ${snapshot.quotes} (${snapshot.quotesDeclined} declined), bookings ${snapshot.bookingsCreated} created, ` +
      `${snapshot.bookingsAssigned} assigned, ${snapshot.bookingsDelivered} delivered, ${snapshot.bookingsExpired} expired, ` +
      `${snapshot.bookingsCancelled} cancelled, ${snapshot.ratings} rated`,
    `offers ${snapshot.offersReceived}: ${snapshot.offersAccepted} accepted, ${snapshot.offersRejected} rejected, ` +
      `${snapshot.offersIgnored} left to expire, ${snapshot.offersBusy} arrived while busy with another, ` +
      `${snapshot.offersRevoked} revoked while deciding, ` +
      `${snapshot.offersLost} lost to another driver; ${snapshot.tripsResumed} trips resumed, ${snapshot.locationPings} location pings`,
    `rate limited ${snapshot.rateLimited} times; errors ${snapshot.errors}`,
    ...Object.entries(snapshot.errorKinds).map(([kind, count]) => `  ${kind}: ${count}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `loadline simulate`: runs until --duration or SIGINT/SIGTERM, printing a status line every few seconds. */
export async function simulateCommand(config: Config, argv: readonly string[]): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(SIMULATE_USAGE);
    return;
  }
  // The city generated records and the demo use (`CITY_CENTER`), unless --area says otherwise.
  const args = parseSimulateArgs(argv, config.port, {
    center: { ...config.generation.center },
    radiusKm: Math.min(DEFAULT_AREA.radiusKm, config.generation.radiusKm),
  });
  const accounts = simulatorPassword(config);
  process.stdout.write(
    accounts.source === 'environment'
      ? 'simulated accounts use SIMULATOR_PASSWORD\n'
      : `simulated accounts use the password ${accounts.source === 'created' ? 'made up now and kept' : 'kept'} in ${accounts.file}\n`,
  );
  const simulator = new Simulator({
    baseUrl: args.url,
    password: accounts.password,
    newAccounts: accounts.source === 'created',
    drivers: args.drivers,
    customers: args.customers,
    bookingsPerMinute: args.bookingsPerMinute,
    area: args.area,
    seed: args.seed,
    settings: { acceptProbability: args.acceptProbability, timeScale: args.timeScale },
    logger: createLogger(config.logLevel),
    onStatus: (snapshot) => process.stdout.write(`${formatStatusLine(snapshot)}\n`),
  });
  await simulator.start();

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`${signal} again: exiting without cleaning up\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${signal}: taking drivers offline and closing sockets (again to force)\n`);
    void simulator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer =
    args.durationSeconds === null
      ? null
      : setTimeout(() => void simulator.stop(), args.durationSeconds * 1000);
  try {
    const last = await simulator.finished;
    process.stdout.write(summary(last));
  } finally {
    if (timer !== null) {
      clearTimeout(timer);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
