import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booking, Quote, QuoteRequest } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { closeRedis, connectRedis, isRedisCluster } from '../../platform/redis';
import { bearer, customerSignup, signUp } from '../../../test/support/factories';
import { StatementLog } from '../../../test/support/statement-log';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, redisClusterVariant, redisUrl, tier } from '../../../test/support/tier';
import { startThrowawayRedis } from '../../../test/support/throwaway-services';
import { quoteCacheKey } from './pricing.service';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

// Three drop-offs across Bengaluru, so the booking's stops are the quote's, each one kept.
const trip = {
  pickup: { lat: 12.9756, lng: 77.6066, address: 'MG Road Metro, Bengaluru' },
  stops: [
    { location: { lat: 12.9719, lng: 77.6412, address: 'Indiranagar' }, recipient: { name: 'Asha' } },
    { location: { lat: 12.9352, lng: 77.6245 }, goods: { description: 'Two boxes', weightKg: 30 } },
    { location: { lat: 12.9698, lng: 77.75 } },
  ],
  vehicleType: 'van',
} satisfies QuoteRequest;

describe(`a quote's work (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const log = new StatementLog();

  beforeAll(async () => {
    env = await TestEnvironment.create('quotework', { env: { RATE_LIMITS: 'off' } });
    app = await env.start({ roles: ['api'] });
    const shard = app.platform.router.shards[0];
    if (shard === undefined) {
      throw new Error('no shard');
    }
    log.install(shard.db.getExecutor());
  });

  afterAll(async () => {
    log.uninstall();
    await env.destroy();
  });

  function post(token: string, url: string, payload: object) {
    return app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
  }

  it('a quote sends no SQL statement, and a booking from it reads no quotes row and keeps its price and stops', async () => {
    const { token } = await signUp(app, customerSignup());
    // Warms the session, which a first request may read from its shard.
    expect((await post(token, '/v1/quotes', trip)).statusCode).toBe(200);

    const quoted = await log.during(() => post(token, '/v1/quotes', trip));
    expect(quoted.result.statusCode).toBe(200);
    expect(quoted.statements).toEqual([]);
    const quote = quoted.result.json<Quote>();

    const booked = await log.during(() => post(token, '/v1/bookings', { quoteId: quote.id }));
    expect(booked.result.statusCode).toBe(201);
    // The log sees the booking's own statements (its insert), so an empty list cannot pass for a blind one.
    expect(booked.statements.length).toBeGreaterThan(0);
    expect(booked.statements.filter((statement) => /\bquotes\b/.test(statement))).toEqual([]);
    const booking = booked.result.json<Booking>();
    expect(booking).toMatchObject({
      price: quote.price,
      distanceKm: quote.distanceKm,
      pickup: quote.pickup,
      dropoff: quote.dropoff,
    });
    expect(
      booking.stops?.map(({ seq, location, recipient, goods }) => ({ seq, location, recipient, goods })),
    ).toEqual(quote.stops);
  });
});

/**
 * The quote's Redis commands, read from MONITOR as the location ping's are
 * (ADR 0026): the commands naming the quote's key.
 */
describe.runIf(isCluster && !redisClusterVariant)(
  'a quote in one Redis write, read back in one (cluster)',
  () => {
    let env: TestEnvironment;
    let app: LoadlineApp;
    let monitorClient: Redis;

    beforeAll(async () => {
      env = await TestEnvironment.create('quotecmds', { env: { RATE_LIMITS: 'off' } });
      app = await env.start({ roles: ['api'] });
      const client = await connectRedis(redisUrl, 'quote-work-test');
      if (isRedisCluster(client)) {
        throw new Error('MONITOR needs a standalone Redis');
      }
      monitorClient = client;
    });

    afterAll(async () => {
      await closeRedis(monitorClient);
      await env.destroy();
    });

    it("the quote's entry is one SET with an expiry, and a booking from it one GET", async () => {
      const { token } = await signUp(app, customerSignup());
      const monitor = await monitorClient.monitor();
      const seen: string[][] = [];
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.some((arg) => arg.includes(':quote:'))) {
          seen.push(args);
        }
      });
      let quote: Quote;
      try {
        const quoted = await app.http.inject({
          method: 'POST',
          url: '/v1/quotes',
          headers: bearer(token),
          payload: trip,
        });
        quote = quoted.json<Quote>();
        const booked = await app.http.inject({
          method: 'POST',
          url: '/v1/bookings',
          headers: bearer(token),
          payload: { quoteId: quote.id },
        });
        expect(booked.statusCode).toBe(201);
        // MONITOR reports a command after running it; let the stream catch up.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        monitor.disconnect();
      }
      const ttlMs = (app.config.pricing.quoteTtlSeconds + 60) * 1000;
      expect(seen.map((args) => [args[0]?.toLowerCase(), ...args.slice(2)])).toEqual([
        ['set', expect.any(String) as string, 'PX', String(ttlMs)],
        ['get'],
      ]);
      expect(seen.every((args) => args[1]?.endsWith(quoteCacheKey(quote.id)))).toBe(true);
    });
  },
);

// Kills its own Redis, so it needs the cluster tier.
describe.runIf(isCluster)('quotes while the cache is down (cluster)', () => {
  let env: TestEnvironment;
  let redis: Throwaway;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('quotedown');
    redis = await startThrowawayRedis();
    app = await env.start({
      roles: ['api'],
      env: { REDIS_URL: redis.url, RATE_LIMITS: 'off', REDIS_COMMAND_TIMEOUT_MS: '1000' },
    });
  }, 60_000);

  afterAll(async () => {
    await env.destroy();
    await redis.dispose();
  });

  it('a quote, or a booking from one, is 503 unavailable; a quote lost with the cache is 404 once it is back', async () => {
    const { token } = await signUp(app, customerSignup());
    const post = (url: string, payload: object) =>
      app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
    const before = await post('/v1/quotes', trip);
    expect(before.statusCode).toBe(200);
    const quote = before.json<Quote>();

    await redis.kill();
    for (const response of [
      await post('/v1/quotes', trip),
      await post('/v1/bookings', { quoteId: quote.id }),
    ]) {
      expect({ status: response.statusCode, body: response.json<unknown>() }).toMatchObject({
        status: 503,
        body: { error: { code: 'unavailable' } },
      });
    }

    // Redis comes back empty: the quote is not honoured, and a new one is.
    await redis.restart();
    let lost = await post('/v1/bookings', { quoteId: quote.id });
    for (let attempt = 0; lost.statusCode === 503 && attempt < 50; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lost = await post('/v1/bookings', { quoteId: quote.id });
    }
    expect({ status: lost.statusCode, body: lost.json<unknown>() }).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    const fresh = (await post('/v1/quotes', trip)).json<Quote>();
    expect((await post('/v1/bookings', { quoteId: fresh.id })).statusCode).toBe(201);
  });
});
