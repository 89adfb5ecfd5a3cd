import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { ManualClock } from '../lib/clock';
import { bearer, customerSignup, signUp } from '../../test/support/factories';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { Authenticator, hashToken } from '../modules/auth/authenticator';
import { registerErrorHandling } from './error-handler';
import { OriginPolicy } from '../modules/auth/origin-policy';

describe(`HTTP shell (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('http', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('/healthz and /readyz answer when everything is up', async () => {
    expect((await app.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.http.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('/metrics serves Prometheus text with request durations', async () => {
    await app.http.inject({ url: '/healthz' });
    const metrics = await app.http.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('loadline_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('route="/healthz"');
  });

  it('/openapi.json documents the routes and /docs renders it', async () => {
    const spec = (await app.http.inject({ url: '/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(spec.openapi).toBe('3.0.3');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/signup', '/v1/auth/login', '/v1/me', '/readyz']),
    );
    const docs = await app.http.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('/openapi.json describes every Socket.IO event of the contract', async () => {
    const spec = (await app.http.inject({ url: '/openapi.json' })).json<{ info: { description: string } }>();
    // Typed over the contract's event maps: an event added there must be added here, then documented.
    const server: Record<keyof ServerToClientEvents, true> = {
      bookingOffer: true,
      offerRevoked: true,
      driverConfirmed: true,
      bookingStatusUpdated: true,
      driverLocation: true,
      notification: true,
      fleetUpdate: true,
      metrics: true,
      generationProgress: true,
      etaUpdated: true,
      stopArrived: true,
      stopCompleted: true,
      stopFailed: true,
    };
    const client: Record<keyof ClientToServerEvents, true> = {
      driverLocationUpdate: true,
      subscribeBooking: true,
      unsubscribeBooking: true,
      bookingStatusChanged: true,
      subscribeFleet: true,
      unsubscribeFleet: true,
    };
    for (const event of [...Object.keys(server), ...Object.keys(client)]) {
      expect(spec.info.description, event).toContain(`\`${event}\``);
    }
  });

  it('sets security headers and echoes a request id', async () => {
    const response = await app.http.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-request-id']).toBe('trace-123');
    const generated = await app.http.inject({ url: '/healthz' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unknown route is 404 with the envelope', async () => {
    for (const url of ['/v1/nothing-here', '/nowhere']) {
      const response = await app.http.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    const post = await app.http.inject({ method: 'POST', url: '/v1/auth/nothing', payload: {} });
    expect(post.statusCode).toBe(404);
  });

  it('malformed JSON is 400 validation_failed, never 5xx', async () => {
    for (const payload of ['{"email": ', '[1,2', 'null', '"just a string"', '{}{}']) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('an empty JSON body is no body: 400 where one is needed, taken where none is; a non-JSON body is 415', async () => {
    const empty = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'validation_failed' } });
    // As clients that set the JSON content type on every request send a POST with nothing to say.
    const { token } = await signUp(app, customerSignup());
    const noBody = await app.http.inject({
      method: 'POST',
      url: '/v1/notifications/read-all',
      headers: { ...bearer(token), 'content-type': 'application/json; charset=utf-8' },
    });
    expect(noBody.statusCode).toBe(204);
    const poisoned = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: '{"__proto__":{"admin":true},"email":"a@b.co","password":"password1"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(poisoned.statusCode).toBe(400);
    const text = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('a body over 64 KiB is 413 payload_too_large', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(70 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('wrong types, missing fields and unknown fields are 400 with the offending path', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'a@b.co', password: 12345678, name: 'A', role: 'customer' }, '/password'],
      [{ email: 'a@b.co', name: 'A', role: 'customer' }, '/password'],
      [{ email: 'not-an-email', password: 'longenough', name: 'A', role: 'customer' }, '/email'],
      [{ email: 'a@b.co', password: 'short', name: 'A', role: 'customer' }, '/password'],
      [{ email: 'a@b.co', password: 'longenough', name: 'A', role: 'pilot' }, '/role'],
      [{ email: 'a@b.co', password: 'longenough', name: 'A', role: 'customer', isAdmin: true }, '/'],
      [{ email: ['a@b.co'], password: 'longenough', name: 'A', role: 'customer' }, '/email'],
    ];
    for (const [payload, path] of cases) {
      const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload });
      expect(response.statusCode).toBe(400);
      const body = response.json<{
        error: { code: string; details: { in: string; issues: { path: string }[] } };
      }>();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.in).toBe('body');
      expect(body.error.details.issues[0]?.path).toBe(path);
    }
  });

  it('a malformed ID names its format and a wrong choice lists the choices, once each', async () => {
    const { token } = await signUp(app, customerSignup());
    const badId = await app.http.inject({ url: '/v1/bookings/abc', headers: bearer(token) });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        message: 'params: /id has the wrong format: A 64-bit ID in decimal.',
        details: { issues: [{ path: '/id', message: 'has the wrong format: A 64-bit ID in decimal.' }] },
      },
    });
    const badRole = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: 'a@b.co', password: 'longenough', name: 'A', role: 'pilot' },
    });
    expect(badRole.json()).toMatchObject({
      error: {
        message: 'body: /role must be one of "customer", "driver"',
        details: { issues: [{ path: '/role', message: 'must be one of "customer", "driver"' }] },
      },
    });
  });

  it('a 5xx hides its internals', async () => {
    const bare = Fastify();
    registerErrorHandling(bare);
    bare.get('/boom', () => {
      throw new Error('secret connection string mysql://root:hunter2@db');
    });
    const response = await bare.inject({ url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'internal_error', message: 'Something went wrong on our side.' },
    });
    await bare.close();
  });
});

describe('route guard', () => {
  it('lets in the allowed roles, 403s the others, 401s without a session', async () => {
    const clock = new ManualClock(Date.now());
    const sessions = new Map<
      string,
      { userId: string; role: 'customer' | 'driver' | 'admin'; createdAt: number; expiresAt: number }
    >();
    const authenticator = new Authenticator(
      {
        create: (hash, session) => Promise.resolve(void sessions.set(hash, session)),
        get: (key) => Promise.resolve(sessions.get(key.tokenHash) ?? null),
        revoke: (key) => Promise.resolve(void sessions.delete(key.tokenHash)),
        revokeAllForUser: () => Promise.resolve(0),
        ping: () => Promise.resolve(),
        close: () => Promise.resolve(),
      },
      clock,
      new OriginPolicy([]),
    );
    const adminToken = `1.${'a'.repeat(43)}`;
    const driverToken = `2.${'d'.repeat(43)}`;
    sessions.set(hashToken(adminToken), {
      userId: '1',
      role: 'admin',
      createdAt: 0,
      expiresAt: clock.now() + 1000,
    });
    sessions.set(hashToken(driverToken), {
      userId: '2',
      role: 'driver',
      createdAt: 0,
      expiresAt: clock.now() + 1000,
    });
    const server = Fastify();
    await server.register(cookie);
    server.decorateRequest('auth', null);
    registerErrorHandling(server);
    server.get('/admin-only', { preHandler: authenticator.guard(['admin']) }, (request) => ({
      userId: request.auth?.userId,
    }));

    const admin = await server.inject({
      url: '/admin-only',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(admin.statusCode).toBe(200);
    expect(admin.json()).toEqual({ userId: '1' });
    const driver = await server.inject({
      url: '/admin-only',
      headers: { authorization: `Bearer ${driverToken}` },
    });
    expect(driver.statusCode).toBe(403);
    expect(driver.json()).toMatchObject({ error: { code: 'forbidden' } });
    const anonymous = await server.inject({ url: '/admin-only' });
    expect(anonymous.statusCode).toBe(401);
    clock.advance(1000);
    const expired = await server.inject({
      url: '/admin-only',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(expired.statusCode).toBe(401);
    await server.close();
  });
});
