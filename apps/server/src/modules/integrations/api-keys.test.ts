/**
 * API keys end to end in both tiers: created once and shown once, listed by
 * prefix, acting as their customer within their scopes, refused elsewhere,
 * rate limited per key, revoked at once on every instance, never logged.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiKey,
  ApiKeyScope,
  AuthResponse,
  Booking,
  CreatedApiKey,
  ErrorEnvelope,
} from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { createLogger } from '../../lib/logger';
import { bearer, signInAdmin } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';

const RATE_LIMIT = 8;

type Injected = Awaited<ReturnType<LoadlineApp['http']['inject']>>;

describe(`api keys (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let customer: AuthResponse;
  const logText: string[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('apikeys', {
      env: { API_KEY_RATE_LIMIT: `${RATE_LIMIT}/60`, AUTH_RATE_LIMIT_IP: '1000/60' },
    });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await env.start({ logger: createLogger('trace', stream) });
    customer = await newCustomer(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function createKey(scopes: ApiKeyScope[], owner = customer): Promise<CreatedApiKey> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(owner.token),
      payload: { name: `key ${scopes.join(' ')}`, scopes },
    });
    expect(response.statusCode).toBe(201);
    return response.json<CreatedApiKey>();
  }

  function expectError(response: Injected, status: number, code: string) {
    expect({ status: response.statusCode, code: response.json<ErrorEnvelope>().error.code }).toEqual({
      status,
      code,
    });
  }

  it('creating a key answers it once, with its prefix and scopes; the list shows only the prefix', async () => {
    const created = await createKey(['bookings:read']);
    expect(created.key).toMatch(/^llk_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.scopes).toEqual(['bookings:read']);
    expect(created.name).toBe('key bookings:read');

    const listed = await app.http.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(customer.token),
    });
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ items: ApiKey[] }>().items;
    expect(items.find((item) => item.id === created.id)).toEqual({
      id: created.id,
      name: created.name,
      scopes: ['bookings:read'],
      prefix: created.prefix,
      createdAt: created.createdAt,
    });
    expect(listed.body).not.toContain(created.key);
    expect(listed.body).not.toContain(created.key.slice(12));
  });

  it("a bookings:read key lists and reads its customer's bookings and nobody else's", async () => {
    const booking = await book(app, customer.token);
    const other = await newCustomer(app);
    const othersBooking = await book(app, other.token);
    const { key } = await createKey(['bookings:read']);

    const list = await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: Booking[] }>().items.map((item) => item.id)).toContain(booking.id);
    const one = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}`,
      headers: bearer(key),
    });
    expect(one.statusCode).toBe(200);
    expect(one.json<Booking>().id).toBe(booking.id);
    const tracking = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/tracking`,
      headers: bearer(key),
    });
    expect(tracking.statusCode).toBe(200);
    const foreign = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${othersBooking.id}`,
      headers: bearer(key),
    });
    expectError(foreign, 404, 'not_found');
  });

  it('a key without bookings:write cannot book, quote or cancel: 403 insufficient_scope, nothing stored', async () => {
    const booking = await book(app, customer.token);
    const { key } = await createKey(['bookings:read', 'webhooks:manage']);
    const created = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(key),
      payload: { pickup: CITY, dropoff: offset(CITY, 5, 3), vehicleType: 'van' },
    });
    expectError(created, 403, 'insufficient_scope');
    expect(created.json<ErrorEnvelope>().error.details).toEqual({ required: 'bookings:write' });
    const quoted = await app.http.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: bearer(key),
      payload: { pickup: CITY, dropoff: offset(CITY, 5, 3), vehicleType: 'van' },
    });
    expectError(quoted, 403, 'insufficient_scope');
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(key),
      payload: {},
    });
    expectError(cancelled, 403, 'insufficient_scope');
    const after = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}`,
      headers: bearer(customer.token),
    });
    expect(after.json<Booking>().status).toBe(booking.status);
  });

  it('a bookings:write key quotes, books and cancels as its customer, but cannot read', async () => {
    const { key } = await createKey(['bookings:write']);
    const quote = await app.http.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: bearer(key),
      payload: { pickup: CITY, dropoff: offset(CITY, 5, 3), vehicleType: 'van' },
    });
    expect(quote.statusCode).toBe(200);
    const created = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(key),
      payload: { pickup: CITY, dropoff: offset(CITY, 5, 3), vehicleType: 'van' },
    });
    expect(created.statusCode).toBe(201);
    const booking = created.json<Booking>();
    expect(booking.customerId).toBe(customer.user.id);
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(key),
      payload: { reason: 'order withdrawn' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json<Booking>().status).toBe('cancelled');
    expectError(
      await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) }),
      403,
      'insufficient_scope',
    );
  });

  it('a key with every scope still cannot manage keys, reach /v1/me, driver or admin routes', async () => {
    await signInAdmin(app);
    const { key, id } = await createKey(['bookings:read', 'bookings:write', 'webhooks:manage']);
    const attempts = [
      { method: 'POST' as const, url: '/v1/api-keys', payload: { name: 'more', scopes: ['bookings:read'] } },
      { method: 'GET' as const, url: '/v1/api-keys' },
      { method: 'DELETE' as const, url: `/v1/api-keys/${id}` },
      { method: 'GET' as const, url: '/v1/me' },
      { method: 'GET' as const, url: '/v1/driver/offers' },
      { method: 'GET' as const, url: '/v1/admin/users' },
    ];
    for (const attempt of attempts) {
      const response = await app.http.inject({ ...attempt, headers: bearer(key) });
      const { error } = response.json<ErrorEnvelope>();
      // No scope would do here, so the answer names none (not even as empty details).
      expect({
        url: attempt.url,
        status: response.statusCode,
        code: error.code,
        hasDetails: 'details' in error,
      }).toEqual({
        url: attempt.url,
        status: 403,
        code: 'insufficient_scope',
        hasDetails: false,
      });
    }
    const stillThere = await app.http.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(customer.token),
    });
    expect(stillThere.json<{ items: ApiKey[] }>().items.map((item) => item.id)).toContain(id);
  });

  it('an unknown or malformed key is 401 unauthenticated', async () => {
    const { key } = await createKey(['bookings:read']);
    const unknown = `${key.slice(0, -4)}${key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (const presented of [unknown, 'llk_short', 'llk_']) {
      expectError(
        await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(presented) }),
        401,
        'unauthenticated',
      );
    }
  });

  it('only customers hold keys: a driver creating one is 403', async () => {
    const driver = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        email: `keyless-driver-${Date.now()}@example.com`,
        password: 'correct horse battery',
        name: 'Keyless Driver',
        role: 'driver',
        vehicle: { type: 'van', plate: `KA05K${Date.now() % 100000}` },
      },
    });
    expect(driver.statusCode).toBe(201);
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(driver.json<AuthResponse>().token),
      payload: { name: 'driver key', scopes: ['bookings:read'] },
    });
    expectError(response, 403, 'forbidden');
  });

  it('bad input is 400 and stores no key', async () => {
    const before = await app.http.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(customer.token),
    });
    for (const payload of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['bookings:delete'] },
      { name: '   ', scopes: ['bookings:read'] },
      { name: 'x', scopes: ['bookings:read', 'bookings:read'] },
    ]) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(customer.token),
        payload,
      });
      expectError(response, 400, 'validation_failed');
    }
    const after = await app.http.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(customer.token),
    });
    expect(after.json<{ items: ApiKey[] }>().items).toEqual(before.json<{ items: ApiKey[] }>().items);
  });

  it(`each key has its own rate limit: request ${RATE_LIMIT + 1} in the window is 429 rate_limited`, async () => {
    const { key } = await createKey(['bookings:read']);
    const { key: otherKey } = await createKey(['bookings:read']);
    for (let index = 0; index < RATE_LIMIT; index += 1) {
      const response = await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) });
      expect(response.statusCode).toBe(200);
    }
    const limited = await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) });
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(otherKey) });
    expect(other.statusCode).toBe(200);
  });

  it(`a revoked key is refused at once${isCluster ? ' on another instance too' : ''}; revoking it again is 404`, async () => {
    const { key, id } = await createKey(['bookings:read']);
    const second = isCluster ? await env.start({ roles: ['api'] }) : app;
    expect(
      (await second.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) })).statusCode,
    ).toBe(200);
    const revoked = await app.http.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${id}`,
      headers: bearer(customer.token),
    });
    expect(revoked.statusCode).toBe(204);
    for (const instance of [second, app]) {
      expectError(
        await instance.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) }),
        401,
        'unauthenticated',
      );
    }
    const listed = await app.http.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(customer.token),
    });
    expect(listed.json<{ items: ApiKey[] }>().items.map((item) => item.id)).not.toContain(id);
    expectError(
      await app.http.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(customer.token) }),
      404,
      'not_found',
    );
    if (second !== app) {
      await second.close();
    }
  });

  it("another customer's key ID is 404 and stays usable", async () => {
    const { key, id } = await createKey(['bookings:read']);
    const other = await newCustomer(app);
    expectError(
      await app.http.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(other.token) }),
      404,
      'not_found',
    );
    expect(
      (await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(key) })).statusCode,
    ).toBe(200);
  });

  it('no key appears in the logs, even at trace level', async () => {
    const created = await createKey(['bookings:read']);
    await app.http.inject({ method: 'GET', url: '/v1/bookings', headers: bearer(created.key) });
    await app.http.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(created.key), payload: {} });
    const logs = logText.join('');
    expect(logs).toContain('api key created');
    expect(logs).not.toContain(created.key.slice(4));
  });
});
