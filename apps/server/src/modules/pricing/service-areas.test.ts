import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinates, ErrorEnvelope, Quote, VehicleType } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, customerSignup, signUp } from '../../../test/support/factories';
import { CITY, offset } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { DEFAULT_REGION } from './pricing-catalog';

const LONDON: Coordinates = { lat: 51.5074, lng: -0.1278 };
const AIRPORT: Coordinates = { lat: 13.1986, lng: 77.7066, address: 'Kempegowda International Airport' };
const ELECTRONIC_CITY: Coordinates = { lat: 12.8003, lng: 77.5776 };

interface Trip {
  pickup: Coordinates;
  dropoff: Coordinates;
  vehicleType: VehicleType;
}

describe(`service areas (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-areas-'));
    // The built-in region, as a deployment without PRICING_FILE runs it.
    env = await TestEnvironment.create('areas', { env: { RATE_LIMITS: 'off', PRICING_FILE: '' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function post(on: LoadlineApp, url: string, token: string, payload: object) {
    return on.http.inject({ method: 'POST', url, headers: bearer(token), payload });
  }

  /** Every booking row of the customer, on every shard. */
  async function storedBookings(on: LoadlineApp, customerId: string): Promise<number> {
    const counts = await Promise.all(
      on.platform.router.shards.map(async (shard) =>
        shard.db.selectFrom('bookings').select('id').where('customer_id', '=', customerId).execute(),
      ),
    );
    return counts.reduce((sum, rows) => sum + rows.length, 0);
  }

  /** Quote rows of the customer, on every shard: none since quotes live in the cache (ADR 0029). */
  async function storedQuotes(on: LoadlineApp, customerId: string): Promise<number> {
    const counts = await Promise.all(
      on.platform.router.shards.map(async (shard) =>
        shard.db.selectFrom('quotes').select('id').where('customer_id', '=', customerId).execute(),
      ),
    );
    return counts.reduce((sum, rows) => sum + rows.length, 0);
  }

  it('a quote with its pickup at latitude 89.5 is 422 outside_service_area naming the pickup', async () => {
    const { token, user } = await signUp(app, customerSignup());
    const response = await post(app, '/v1/quotes', token, {
      pickup: { lat: 89.5, lng: 77.5946 },
      dropoff: CITY,
      vehicleType: 'van',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorEnvelope>()).toEqual({
      error: {
        code: 'outside_service_area',
        message: 'We do not serve the pickup location; choose a place inside our service area.',
        details: { point: 'pickup' },
      },
    });
    expect(await storedQuotes(app, user.id)).toBe(0);
  });

  it('a booking with its pickup at latitude 90 is 422 outside_service_area and stores no booking', async () => {
    const { token, user } = await signUp(app, customerSignup());
    const response = await post(app, '/v1/bookings', token, {
      pickup: { lat: 90, lng: 0 },
      dropoff: CITY,
      vehicleType: 'van',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorEnvelope>().error).toMatchObject({
      code: 'outside_service_area',
      details: { point: 'pickup' },
    });
    expect(await storedBookings(app, user.id)).toBe(0);
    const listed = await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(token) });
    expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('a bike from Bengaluru to London is 422 outside_service_area naming the drop-off, quoted or booked', async () => {
    const { token, user } = await signUp(app, customerSignup());
    const trip: Trip = { pickup: CITY, dropoff: LONDON, vehicleType: 'bike' };
    for (const url of ['/v1/quotes', '/v1/bookings']) {
      const response = await post(app, url, token, trip);
      expect(response.statusCode).toBe(422);
      expect(response.json<ErrorEnvelope>()).toEqual({
        error: {
          code: 'outside_service_area',
          message: 'We do not serve the drop-off location; choose a place inside our service area.',
          details: { point: 'dropoff' },
        },
      });
    }
    expect(await storedQuotes(app, user.id)).toBe(0);
    expect(await storedBookings(app, user.id)).toBe(0);
  });

  it('the built-in region serves the whole city: airport to Electronic City by bike is quoted', async () => {
    const { token } = await signUp(app, customerSignup());
    const response = await post(app, '/v1/quotes', token, {
      pickup: AIRPORT,
      dropoff: ELECTRONIC_CITY,
      vehicleType: 'bike',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Quote>().breakdown.region).toBe('default');
  });

  it('a trip longer than the vehicle type allows is 422 trip_too_long, quoted or booked, and stores nothing', async () => {
    const file = path.join(dir, 'short-bikes.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        regions: [
          {
            id: 'south-india',
            name: 'South India',
            currency: 'INR',
            serviceArea: { center: CITY, radiusKm: 500 },
            maxTripKm: { bike: 10, van: 200, mini_truck: 400, truck: 1500 },
            rates: DEFAULT_REGION.rates,
          },
        ],
      }),
    );
    const short = await env.start({ env: { PRICING_FILE: file }, roles: ['api'] });
    const { token, user } = await signUp(short, customerSignup());
    const trip: Trip = { pickup: CITY, dropoff: offset(CITY, 20), vehicleType: 'bike' };

    // The same trip in a van is within its maximum; its road distance is the one the bike is refused for.
    const van = await post(short, '/v1/quotes', token, { ...trip, vehicleType: 'van' });
    expect(van.statusCode).toBe(200);
    const { distanceKm, id: vanQuote } = van.json<Quote>();
    expect(distanceKm).toBeGreaterThan(10);

    for (const url of ['/v1/quotes', '/v1/bookings']) {
      const response = await post(short, url, token, trip);
      expect(response.statusCode).toBe(422);
      expect(response.json<ErrorEnvelope>()).toEqual({
        error: {
          code: 'trip_too_long',
          message: `A bike trip may be at most 10 km; this one is ${distanceKm} km.`,
          details: { distanceKm, maxKm: 10, vehicleType: 'bike' },
        },
      });
    }
    // The van's quote is kept (in the cache, not SQL) for a booking; the refused trips were never priced.
    expect((await short.services.pricing.quoteForBooking(user.id, vanQuote)).id).toBe(vanQuote);
    expect(await storedQuotes(short, user.id)).toBe(0);
    expect(await storedBookings(short, user.id)).toBe(0);
    await short.close();
  });
});
