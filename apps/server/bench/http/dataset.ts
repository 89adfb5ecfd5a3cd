import type { AuthResponse, Booking, BookingStatus, Offer, SignupBody } from '@loadline/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent, type ApiClient } from '../support/api';
import { BENGALURU, pointNear, type Point, type Random } from '../support/random';

export interface Account {
  id: string;
  token: string;
}

export interface Driver extends Account {
  /** Where the driver hangs around: location pings stay near it. */
  home: Point;
}

export interface BookingRef {
  id: string;
  customer: Account;
}

export interface Dataset {
  customers: Account[];
  drivers: Driver[];
  /** Assigned in setup and moved to en_route_to_pickup: targets of tracking reads. */
  tracked: BookingRef[];
  /** Bookings their customer may read; the mix adds the ones it creates. */
  readable: BookingRef[];
  /** Drivers free for the accept flow, least recently used first. */
  flowDrivers: Driver[];
}

export interface SeedOptions {
  customers: number;
  drivers: number;
  /** Bookings assigned to the first drivers during setup (those drivers stay busy). */
  tracked: number;
  /** Extra searching bookings, one per customer in turn, for booking reads. */
  searching: number;
  concurrency: number;
  random: Random;
  log: (line: string) => void;
}

export const PASSWORD = 'bench-password-1';
/** Drivers and pickups spread over this radius around central Bengaluru. */
export const AREA_KM = 10;
/** The status moves of a trip after acceptance, in order. */
export const TRIP_STEPS: readonly BookingStatus[] = [
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
  'delivered',
];

const OFFER_WAIT_MS = 20_000;
const OFFER_POLL_MS = 100;

/** Builds the data set through the public API, as real clients would. */
export async function seed(api: ApiClient, options: SeedOptions): Promise<Dataset> {
  const { random, concurrency, log } = options;
  const runTag = Date.now().toString(36);

  let started = performance.now();
  const signups: SignupBody[] = [
    ...Array.from({ length: options.customers }, (_, i): SignupBody => ({
      email: `bench-${runTag}-c${i}@loadline.test`,
      password: PASSWORD,
      name: `Bench Customer ${i}`,
      role: 'customer',
    })),
    ...Array.from({ length: options.drivers }, (_, i): SignupBody => ({
      email: `bench-${runTag}-d${i}@loadline.test`,
      password: PASSWORD,
      name: `Bench Driver ${i}`,
      role: 'driver',
      vehicle: { type: 'van', plate: `KA01 BN ${String(i).padStart(4, '0')}` },
    })),
  ];
  const accounts = await mapConcurrent(signups, concurrency, async (body) => {
    const auth = (await api.call('POST', '/v1/auth/signup', { body, expect: [201] })).body as AuthResponse;
    return { id: auth.user.id, token: auth.token };
  });
  const customers = accounts.slice(0, options.customers);
  const drivers: Driver[] = accounts
    .slice(options.customers)
    .map((account) => ({ ...account, home: pointNear(random, BENGALURU, AREA_KM) }));
  log(`  ${signups.length} signups in ${seconds(started)} s (concurrency ${concurrency})`);

  started = performance.now();
  await mapConcurrent(drivers, concurrency, async (driver) => {
    await api.call('POST', '/v1/driver/location', {
      token: driver.token,
      body: { ...driver.home, heading: 0 },
      expect: [202],
    });
    await api.call('PUT', '/v1/driver/availability', { token: driver.token, body: { online: true } });
  });
  log(`  ${drivers.length} drivers positioned and online in ${seconds(started)} s`);

  started = performance.now();
  const trackedDrivers = drivers.slice(0, options.tracked);
  const tracked = await mapConcurrent(trackedDrivers, concurrency, async (driver, index) => {
    const customer = customers[index % customers.length] as Account;
    const booking = await createBooking(api, customer, driver.home, pointNear(random, BENGALURU, AREA_KM));
    await waitForOffer(api, driver, booking.id);
    await api.call('POST', `/v1/driver/offers/${booking.id}/accept`, { token: driver.token });
    await moveTrip(api, driver, booking.id, TRIP_STEPS.slice(0, 1));
    return { id: booking.id, customer };
  });
  log(
    `  ${tracked.length} bookings created, accepted and moved to en_route_to_pickup in ${seconds(started)} s`,
  );

  started = performance.now();
  const searching = await mapConcurrent(
    Array.from({ length: options.searching }),
    concurrency,
    async (_, index) => {
      const customer = customers[index % customers.length] as Account;
      const booking = await createBooking(
        api,
        customer,
        pointNear(random, BENGALURU, AREA_KM),
        pointNear(random, BENGALURU, AREA_KM),
      );
      return { id: booking.id, customer };
    },
  );
  log(`  ${searching.length} searching bookings created in ${seconds(started)} s`);

  return {
    customers,
    drivers,
    tracked,
    readable: [...tracked, ...searching],
    flowDrivers: drivers.slice(options.tracked),
  };
}

export async function createBooking(
  api: ApiClient,
  customer: Account,
  pickup: Point,
  dropoff: Point,
): Promise<Booking> {
  const { body } = await api.call('POST', '/v1/bookings', {
    token: customer.token,
    body: { pickup, dropoff, vehicleType: 'van', goods: { description: 'cartons', weightKg: 120 } },
    expect: [201],
  });
  return body as Booking;
}

/** Polls the driver's offers until the booking shows up. */
export async function waitForOffer(api: ApiClient, driver: Account, bookingId: string): Promise<void> {
  const deadline = Date.now() + OFFER_WAIT_MS;
  while (Date.now() < deadline) {
    const { body } = await api.call('GET', '/v1/driver/offers', { token: driver.token });
    if ((body as { items: Offer[] }).items.some((offer) => offer.bookingId === bookingId)) {
      return;
    }
    await sleep(OFFER_POLL_MS);
  }
  throw new Error(`driver ${driver.id} was not offered booking ${bookingId} within ${OFFER_WAIT_MS} ms`);
}

export async function moveTrip(
  api: ApiClient,
  driver: Account,
  bookingId: string,
  steps: readonly BookingStatus[],
): Promise<void> {
  for (const status of steps) {
    await api.call('POST', `/v1/bookings/${bookingId}/status`, { token: driver.token, body: { status } });
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
