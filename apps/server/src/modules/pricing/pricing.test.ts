import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Quote, QuoteRequest } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { decodeId, encodeId, logicalShardOf } from '../../platform/db/ids';
import { bearer, customerSignup, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { availableDriversSet } from '../drivers/available-drivers';
import { searchingBookingsSet } from '../bookings/searching-bookings';
import { computePrice } from './price';
import { DEFAULT_REGION } from './pricing-catalog';
import { createPricing } from './pricing.module';
import { EXPIRED_QUOTE_ANSWER_MS, quoteCacheKey, type PricingService } from './pricing.service';

// MG Road to Whitefield, Bengaluru: 20.22 road km and 60.7 van minutes by great circle × 1.3.
const trip = {
  pickup: { lat: 12.9756, lng: 77.6066, address: 'MG Road Metro, Bengaluru' },
  dropoff: { lat: 12.9698, lng: 77.75 },
  vehicleType: 'van',
} satisfies QuoteRequest;

/** The AppError a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe(`POST /v1/quotes (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  // The same service the app runs, on the app's own storage and clock, for what bookings call directly.
  let pricing: PricingService;

  beforeAll(async () => {
    env = await TestEnvironment.create('pricing', { env: { RATE_LIMITS: 'off' } });
    clock = new ManualClock(Date.now());
    app = await env.start({ clock });
    pricing = createPricing(app.platform).service;
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function quote(token: string, payload: unknown) {
    return app.http.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: bearer(token),
      payload: payload as object,
    });
  }

  it('answers 200 with a quote priced by computePrice, its ID on the customer shard, kept for a booking', async () => {
    const { token, user } = await signUp(app, customerSignup());
    const response = await quote(token, trip);
    expect(response.statusCode).toBe(200);
    const body = response.json<Quote>();

    const expected = computePrice({
      rates: DEFAULT_REGION.rates.van,
      distanceKm: 20.22,
      durationMinutes: 60.7,
      surgeMultiplier: 1,
      currency: 'INR',
      regionId: 'default',
    });
    expect(expected.price).toEqual({ amount: 72580, currency: 'INR' });
    expect(body).toEqual({
      id: expect.stringMatching(/^[1-9]\d+$/) as string,
      vehicleType: 'van',
      pickup: trip.pickup,
      dropoff: trip.dropoff,
      distanceKm: 20.22,
      durationMinutes: 60.7,
      price: expected.price,
      surgeMultiplier: 1,
      breakdown: expected.breakdown,
      expiresAt: new Date(clock.now() + app.config.pricing.quoteTtlSeconds * 1000).toISOString(),
    });
    expect(logicalShardOf(body.id)).toBe(logicalShardOf(user.id));

    const stored = await pricing.quoteForBooking(user.id, body.id);
    expect(stored).toEqual({ ...body, customerId: user.id, createdAt: new Date(clock.now()).toISOString() });
  });

  it('estimate gives the same numbers without storing a quote; travelMinutes the great-circle duration', async () => {
    expect(await pricing.estimate(trip)).toEqual({
      vehicleType: 'van',
      pickup: trip.pickup,
      dropoff: trip.dropoff,
      distanceKm: 20.22,
      durationMinutes: 60.7,
      distanceSource: 'great_circle',
      price: { amount: 72580, currency: 'INR' },
      surgeMultiplier: 1,
      breakdown: {
        baseFare: 20000,
        distanceFare: 40440,
        timeFare: 12140,
        surgeAmount: 0,
        minimumFareTopUp: 0,
        currency: 'INR',
        region: 'default',
      },
    });
    expect(pricing.travelMinutes('van', trip.pickup, trip.dropoff)).toBe(60.7);
  });

  it('prices live demand around the pickup into the quote, smoothed', async () => {
    const { token } = await signUp(app, customerSignup());
    const bikeTrip: QuoteRequest = { ...trip, vehicleType: 'bike' };
    const { geo } = app.platform;
    const first = (await quote(token, bikeTrip)).json<Quote>();
    expect(first.surgeMultiplier).toBe(1);

    for (let index = 0; index < 5; index += 1) {
      await geo.upsert(searchingBookingsSet('bike'), `surge-booking-${index}`, {
        lat: trip.pickup.lat + index * 0.0004,
        lng: trip.pickup.lng,
      });
    }
    await geo.upsert(availableDriversSet('bike'), 'surge-driver', trip.pickup);
    try {
      // raw = 1 + (5 - 1) × 0.25 = 2; ten minutes later the smoothed value is 1 + (1 - e^-5) = 1.99.
      clock.advance(10 * 60_000);
      const response = await quote(token, bikeTrip);
      expect(response.statusCode).toBe(200);
      const surged = response.json<Quote>();
      expect(surged.surgeMultiplier).toBe(1.99);
      const expected = computePrice({
        rates: DEFAULT_REGION.rates.bike,
        distanceKm: surged.distanceKm,
        durationMinutes: surged.durationMinutes,
        surgeMultiplier: 1.99,
        currency: 'INR',
        regionId: 'default',
      });
      expect(surged.price).toEqual(expected.price);
      expect(surged.breakdown).toEqual(expected.breakdown);
      expect(surged.price.amount).toBeGreaterThan(first.price.amount);
    } finally {
      for (let index = 0; index < 5; index += 1) {
        await geo.remove(searchingBookingsSet('bike'), `surge-booking-${index}`);
      }
      await geo.remove(availableDriversSet('bike'), 'surge-driver');
    }
  });

  it('a driver asking for a quote gets 403 forbidden; no session gets 401', async () => {
    const { token } = await signUp(app, driverSignup());
    const forbidden = await quote(token, trip);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });

    const anonymous = await app.http.inject({ method: 'POST', url: '/v1/quotes', payload: trip });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('bad coordinates are 400 validation_failed naming the field', async () => {
    const { token } = await signUp(app, customerSignup());
    const cases: [unknown, string][] = [
      [{ ...trip, pickup: { lat: 91, lng: 77.6 } }, '/pickup/lat'],
      [{ ...trip, dropoff: { lat: 12.97, lng: 'x' } }, '/dropoff/lng'],
      [{ pickup: trip.pickup, vehicleType: 'van' }, '/dropoff'],
      [{ ...trip, vehicleType: 'rickshaw' }, '/vehicleType'],
    ];
    for (const [payload, path] of cases) {
      const response = await quote(token, payload);
      expect(response.statusCode).toBe(400);
      const { error } = response.json<{ error: { code: string; details: { issues: { path: string }[] } } }>();
      expect(error.code).toBe('validation_failed');
      expect(error.details.issues.map((issue) => issue.path)).toContain(path);
    }
  });

  it("another customer's quote, or an unknown one, is 404 not_found for a booking", async () => {
    const owner = await signUp(app, customerSignup());
    const other = await signUp(app, customerSignup());
    const created = (await quote(owner.token, trip)).json<Quote>();

    for (const [customerId, quoteId] of [
      [other.user.id, created.id],
      [owner.user.id, '9223372036854775807'],
      [owner.user.id, 'not-an-id'],
    ] as const) {
      const error = await rejection(pricing.quoteForBooking(customerId, quoteId));
      expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: 'not_found' });
    }
  });

  it('a quote is honoured until it expires, then a booking gets 409 quote_expired', async () => {
    const { token, user } = await signUp(app, customerSignup());
    const created = (await quote(token, trip)).json<Quote>();
    const ttlMs = app.config.pricing.quoteTtlSeconds * 1000;

    clock.advance(ttlMs - 1);
    expect((await pricing.quoteForBooking(user.id, created.id)).price).toEqual(created.price);

    clock.advance(1);
    const error = await rejection(pricing.quoteForBooking(user.id, created.id));
    expect({ status: error.status, code: error.code, details: error.details }).toEqual({
      status: 409,
      code: 'quote_expired',
      details: { expiredAt: created.expiresAt },
    });
  });
});

describe(`quotes kept in the cache (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  let pricing: PricingService;

  beforeAll(async () => {
    env = await TestEnvironment.create('pricing-cached', { env: { RATE_LIMITS: 'off' } });
    // Its own clock: quote IDs carry the real time they were made, and this clock starts beside it.
    clock = new ManualClock(Date.now());
    app = await env.start({ clock, roles: ['api'] });
    pricing = createPricing(app.platform).service;
  });

  afterAll(async () => {
    await env.destroy();
  });

  /** A customer on another logical shard than `than`, so no quote of theirs can carry its shard. */
  async function customerBeside(than: string) {
    for (;;) {
      const other = await signUp(app, customerSignup());
      if (logicalShardOf(other.user.id) !== logicalShardOf(than)) {
        return other;
      }
    }
  }

  it("once a quote's entry is gone, its ID answers: 404 while live by its time, then 409 from that time for a week, then 404", async () => {
    const { user } = await signUp(app, customerSignup());
    const given = await pricing.quote(user.id, trip);
    await app.platform.cache.delete(quoteCacheKey(given.id));
    const ttlMs = app.config.pricing.quoteTtlSeconds * 1000;
    const status = async (customerId: string, quoteId: string) => {
      const error = await rejection(pricing.quoteForBooking(customerId, quoteId));
      return { status: error.status, code: error.code, details: error.details };
    };

    // Unknown while it would still be honoured: lost, or never given.
    expect(await status(user.id, given.id)).toEqual({ status: 404, code: 'not_found', details: undefined });

    // The ID was made a moment after this clock started; five minutes past the TTL covers the gap.
    clock.advance(ttlMs + 5 * 60_000);
    const expiredAt = new Date(decodeId(given.id).timestampMs + ttlMs).toISOString();
    expect(await status(user.id, given.id)).toEqual({
      status: 409,
      code: 'quote_expired',
      details: { expiredAt },
    });
    // A customer on another logical shard could never have been given it.
    const other = await customerBeside(user.id);
    expect((await status(other.user.id, given.id)).status).toBe(404);
    // Made-up IDs: one from 2024, one on the customer's shard from the future.
    const future = encodeId({
      timestampMs: clock.now() + 86_400_000,
      logicalShard: logicalShardOf(user.id),
      node: 0,
      sequence: 0,
    });
    for (const made of ['123456789012345678', future]) {
      expect((await status(user.id, made)).status).toBe(404);
    }

    clock.advance(EXPIRED_QUOTE_ANSWER_MS);
    expect((await status(user.id, given.id)).status).toBe(404);
  });

  it('an entry in another shape (another version wrote it) is a miss: 404 for a live quote', async () => {
    const { user } = await signUp(app, customerSignup());
    const given = await pricing.quote(user.id, trip);
    const { price: _price, ...priceless } = given;
    await app.platform.cache.set(quoteCacheKey(given.id), JSON.stringify(priceless), 60);
    const error = await rejection(pricing.quoteForBooking(user.id, given.id));
    expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('a quote with stops comes back from the cache exactly as given', async () => {
    const { user } = await signUp(app, customerSignup());
    const given = await pricing.quote(user.id, {
      pickup: trip.pickup,
      stops: [
        {
          location: { lat: 12.97, lng: 77.64, address: 'Indiranagar' },
          recipient: { name: 'Asha', phone: '+919800000001' },
        },
        { location: trip.dropoff, goods: { description: 'Two boxes', weightKg: 30 } },
      ],
      vehicleType: 'van',
    });
    expect(given.stops?.map((stop) => stop.seq)).toEqual([1, 2]);
    expect(await pricing.quoteForBooking(user.id, given.id)).toEqual(given);
  });
});
