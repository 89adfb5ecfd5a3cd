import type {
  AuthResponse,
  Booking,
  Coordinates,
  CreateBookingBody,
  Offer,
  VehicleType,
} from '@loadline/contracts';
import { nextDriverStatus } from '@loadline/contracts';
import type { LoadlineApp } from '../../src/app';
import { availableDriversSet } from '../../src/modules/drivers/available-drivers';
import { DriverClaimsRepository } from '../../src/modules/drivers/driver-claims.repository';
import { bearer, customerSignup, driverSignup, signUp } from './factories';
import { waitFor } from './wait';

/** Central Bengaluru: the default city of the test fleet. */
export const CITY: Coordinates = { lat: 12.9716, lng: 77.5946 };

/** A point `northKm` north and `eastKm` east of `from` (good enough near the equator for tests). */
export function offset(from: Coordinates, northKm: number, eastKm = 0): Coordinates {
  return {
    lat: from.lat + northKm / 111.32,
    lng: from.lng + eastKm / (111.32 * Math.cos((from.lat * Math.PI) / 180)),
  };
}

export async function newCustomer(app: LoadlineApp): Promise<AuthResponse> {
  return signUp(app, customerSignup());
}

/** A driver signed up, online and reporting a position. */
export async function onlineDriver(
  app: LoadlineApp,
  options: {
    vehicleType?: VehicleType;
    at?: Coordinates;
    online?: boolean;
    capacityKg?: number;
    /** How long ago the reported position was taken (default: now). */
    positionAgeSeconds?: number;
    phone?: string;
  } = {},
): Promise<AuthResponse> {
  const template = driverSignup(options.phone === undefined ? {} : { phone: options.phone });
  const vehicle = {
    ...(template.vehicle ?? { type: 'van' as const, plate: 'X' }),
    type: options.vehicleType ?? 'van',
  };
  const driver = await signUp(app, {
    ...template,
    vehicle: options.capacityKg === undefined ? vehicle : { ...vehicle, capacityKg: options.capacityKg },
  });
  const position = options.at ?? CITY;
  const located = await app.http.inject({
    method: 'POST',
    url: '/v1/driver/location',
    headers: bearer(driver.token),
    payload: {
      lat: position.lat,
      lng: position.lng,
      heading: 90,
      ...(options.positionAgeSeconds === undefined
        ? {}
        : { at: new Date(Date.now() - options.positionAgeSeconds * 1000).toISOString() }),
    },
  });
  if (located.statusCode !== 202) {
    throw new Error(`location failed: ${located.statusCode} ${located.body}`);
  }
  if (options.online ?? true) {
    const response = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(driver.token),
      payload: { online: true },
    });
    if (response.statusCode !== 200) {
      throw new Error(`availability failed: ${response.statusCode} ${response.body}`);
    }
  }
  return driver;
}

export async function book(
  app: LoadlineApp,
  token: string,
  body: Partial<CreateBookingBody> = {},
): Promise<Booking> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/v1/bookings',
    headers: bearer(token),
    payload: { pickup: CITY, dropoff: offset(CITY, 5, 3), vehicleType: 'van', ...body },
  });
  if (response.statusCode !== 201) {
    throw new Error(`booking failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<Booking>();
}

export async function offersOf(app: LoadlineApp, token: string): Promise<Offer[]> {
  const response = await app.http.inject({ method: 'GET', url: '/v1/driver/offers', headers: bearer(token) });
  return response.json<{ items: Offer[] }>().items;
}

/** Waits until the driver has an open offer for the booking. */
export async function waitForOffer(
  app: LoadlineApp,
  token: string,
  bookingId: string,
  timeoutMs = 10_000,
): Promise<Offer> {
  let found: Offer | undefined;
  await waitFor(async () => {
    found = (await offersOf(app, token)).find((offer) => offer.bookingId === bookingId);
    return found !== undefined;
  }, timeoutMs);
  if (found === undefined) {
    throw new Error('no offer');
  }
  return found;
}

/**
 * Waits until a driver whose trip has just ended can be offered work again: the
 * trip's events have given back the driver's claim (SQL) and put the driver back
 * among the available (geo index). A booking whose first wave runs before that
 * passes the driver by, and asks again only in a later wave.
 */
export async function waitUntilMatchable(
  app: LoadlineApp,
  driverId: string,
  vehicleType: VehicleType = 'van',
): Promise<void> {
  const claims = new DriverClaimsRepository(app.platform.router);
  await waitFor(
    async () =>
      (await claims.holder(driverId)) === null &&
      (await app.platform.geo.position(availableDriversSet(vehicleType), driverId)) !== null,
  );
}

export async function getBooking(app: LoadlineApp, token: string, bookingId: string): Promise<Booking> {
  const response = await app.http.inject({
    method: 'GET',
    url: `/v1/bookings/${bookingId}`,
    headers: bearer(token),
  });
  return response.json<Booking>();
}

export async function waitForStatus(
  app: LoadlineApp,
  token: string,
  bookingId: string,
  status: Booking['status'],
  timeoutMs = 15_000,
): Promise<Booking> {
  let booking: Booking | undefined;
  await waitFor(async () => {
    booking = await getBooking(app, token, bookingId);
    return booking.status === status;
  }, timeoutMs);
  if (booking === undefined) {
    throw new Error('no booking');
  }
  return booking;
}

/**
 * The assigned driver moves the booking step by step, as the contract orders
 * the steps, from `driver_assigned` through `delivered`; each move must answer
 * 200 with the booking at its new status.
 */
export async function driveToDelivered(
  app: LoadlineApp,
  driverToken: string,
  bookingId: string,
): Promise<void> {
  for (let status = nextDriverStatus('driver_assigned'); status !== null; status = nextDriverStatus(status)) {
    const moved = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${bookingId}/status`,
      headers: bearer(driverToken),
      payload: { status },
    });
    if (moved.statusCode !== 200 || moved.json<Booking>().status !== status) {
      throw new Error(`moving ${bookingId} to ${status} answered ${moved.statusCode}: ${moved.body}`);
    }
  }
}

/** The driver waits for the booking's offer and takes it; the acceptance must answer 200. */
export async function acceptOffer(
  app: LoadlineApp,
  driverToken: string,
  bookingId: string,
): Promise<Booking> {
  await waitForOffer(app, driverToken, bookingId);
  const accepted = await app.http.inject({
    method: 'POST',
    url: `/v1/driver/offers/${bookingId}/accept`,
    headers: bearer(driverToken),
  });
  if (accepted.statusCode !== 200) {
    throw new Error(`accepting ${bookingId} answered ${accepted.statusCode}: ${accepted.body}`);
  }
  return accepted.json<Booking>();
}
