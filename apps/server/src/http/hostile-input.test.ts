/**
 * What a hostile or broken client sends, at the raw HTTP level: every case must get the error envelope and change
 * nothing. One file so the list of refused inputs is read in one place.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booking } from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { TestEnvironment } from '../../test/support/test-env';
import { bearer, customerSignup, driverSignup, signInAdmin, signUp } from '../../test/support/factories';
import { baseUrlOf } from '../../test/support/sockets';
import { isCluster, tier } from '../../test/support/tier';
import { rawExchange } from '../../test/support/raw-http';
import { waitFor } from '../../test/support/wait';

const TOO_BIG_IDS = ['9223372036854775808', '9999999999999999999'];
const PICKUP = { lat: 12.9716, lng: 77.5946, address: 'MG Road' };
const DROPOFF = { lat: 12.9352, lng: 77.6245, address: 'Koramangala' };

function portOf(address: string): number {
  return Number(new URL(address).port);
}

describe(`hostile and careless input (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let port: number;
  const logs: { level: number; msg: string; code?: string }[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('hostile', {
      env: {
        RATE_LIMITS: 'off',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        // Headers are checked once a second, so a silent connection's 408 comes 1-2 s in (later on a
        // busy machine): the idle deadline stays well clear of it, or it closes the socket unanswered.
        HTTP_IDLE_TIMEOUT_MS: '5000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        ALLOWED_ORIGINS: 'https://partner.example.com',
      },
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line !== '') {
            logs.push(JSON.parse(line) as { level: number; msg: string; code?: string });
          }
        }
        done();
      },
    });
    app = await env.start({ logger: pino({ level: 'debug' }, sink) });
    port = portOf(await app.listen());
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function bookAsCustomer(): Promise<{ token: string; booking: Booking }> {
    const { token } = await signUp(app, customerSignup());
    const created = await app.http.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: bearer(token),
      payload: { pickup: PICKUP, dropoff: DROPOFF, vehicleType: 'van' },
    });
    expect(created.statusCode).toBe(201);
    return { token, booking: created.json<Booking>() };
  }

  describe('cookie sessions and other origins (finding 3)', () => {
    it('a cookie-authenticated cancel from another origin is 403 and cancels nothing', async () => {
      const { token, booking } = await bookAsCustomer();
      const evil = await app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/cancel`,
        headers: { cookie: `sid=${token}`, origin: 'http://evil.example', host: `127.0.0.1:${port}` },
        payload: {},
      });
      expect(evil.statusCode).toBe(403);
      expect(evil.json()).toMatchObject({ error: { code: 'forbidden' } });
      const after = await app.http.inject({ url: `/v1/bookings/${booking.id}`, headers: bearer(token) });
      expect(after.json<Booking>().status).toBe(booking.status);

      const sameOrigin = await app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/cancel`,
        headers: { cookie: `sid=${token}`, origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` },
        payload: {},
      });
      expect(sameOrigin.statusCode).toBe(200);
      expect(sameOrigin.json<Booking>().status).toBe('cancelled');
    });

    it('a no-cors cross-site write without Origin is refused by Sec-Fetch-Site', async () => {
      const { token } = await signUp(app, customerSignup());
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/notifications/read-all',
        headers: { cookie: `sid=${token}`, 'sec-fetch-site': 'cross-site' },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'forbidden' } });
    });

    it('origins in ALLOWED_ORIGINS and bearer tokens from anywhere are accepted', async () => {
      const { token } = await signUp(app, customerSignup());
      const allowed = await app.http.inject({
        method: 'POST',
        url: '/v1/notifications/read-all',
        headers: { cookie: `sid=${token}`, origin: 'https://partner.example.com' },
      });
      expect(allowed.statusCode).toBe(204);
      const bearerFromElsewhere = await app.http.inject({
        method: 'POST',
        url: '/v1/notifications/read-all',
        headers: { ...bearer(token), origin: 'http://evil.example' },
      });
      expect(bearerFromElsewhere.statusCode).toBe(204);
      const cookieRead = await app.http.inject({
        url: '/v1/me',
        headers: { cookie: `sid=${token}`, origin: 'http://evil.example' },
      });
      expect(cookieRead.statusCode).toBe(200);
    });
  });

  describe('IDs beyond 64 bits (finding 6)', () => {
    let admin: string;

    beforeAll(async () => {
      admin = await signInAdmin(app);
    });

    it('every route answers 400 validation_failed, never 5xx', async () => {
      const { token: customer } = await signUp(app, customerSignup());
      const { token: driver } = await signUp(app, driverSignup());
      for (const id of TOO_BIG_IDS) {
        const calls: { method: 'GET' | 'POST' | 'PATCH'; url: string; token: string; payload?: object }[] = [
          { method: 'GET', url: `/v1/bookings/${id}`, token: customer },
          { method: 'GET', url: `/v1/bookings/${id}/events`, token: customer },
          { method: 'GET', url: `/v1/bookings/${id}/tracking`, token: customer },
          { method: 'POST', url: `/v1/bookings/${id}/cancel`, token: customer, payload: {} },
          { method: 'POST', url: `/v1/bookings/${id}/rating`, token: customer, payload: { rating: 5 } },
          {
            method: 'POST',
            url: `/v1/bookings/${id}/status`,
            token: driver,
            payload: { status: 'in_transit' },
          },
          { method: 'POST', url: `/v1/driver/jobs/${id}/release`, token: driver },
          { method: 'POST', url: `/v1/driver/offers/${id}/accept`, token: driver },
          { method: 'POST', url: `/v1/driver/offers/${id}/reject`, token: driver },
          { method: 'POST', url: `/v1/notifications/${id}/read`, token: customer },
          { method: 'PATCH', url: `/v1/admin/drivers/${id}`, token: admin, payload: { suspended: true } },
          { method: 'GET', url: `/v1/admin/jobs/${id}`, token: admin },
        ];
        for (const call of calls) {
          const response = await app.http.inject({
            method: call.method,
            url: call.url,
            headers: bearer(call.token),
            ...(call.payload === undefined ? {} : { payload: call.payload }),
          });
          expect(response.statusCode, `${call.method} ${call.url}`).toBe(400);
          expect(response.json(), `${call.method} ${call.url}`).toMatchObject({
            error: { code: 'validation_failed' },
          });
        }
      }
      expect(logs.filter((entry) => entry.level >= 50)).toEqual([]);
    });

    it('list cursors holding such IDs or odd numbers are 400 on every list, never 5xx', async () => {
      const { token: customer } = await signUp(app, customerSignup());
      const { token: driver } = await signUp(app, driverSignup());
      const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
      const lists = [
        { url: '/v1/bookings', token: customer, arity: 1 },
        { url: '/v1/notifications', token: customer, arity: 1 },
        { url: '/v1/driver/jobs', token: driver, arity: 2 },
        { url: '/v1/admin/users', token: admin, arity: 1 },
        { url: '/v1/admin/drivers', token: admin, arity: 1 },
        { url: '/v1/admin/bookings', token: admin, arity: 1 },
      ];
      for (const list of lists) {
        const bad =
          list.arity === 1
            ? [['9223372036854775808'], ['99999999999999999999'], [1e300], [1.5], [null]]
            : [
                [1_700_000_000_000, '9223372036854775808'],
                [1e300, '1'],
                [1.5, '1'],
              ];
        for (const parts of bad) {
          const response = await app.http.inject({
            url: `${list.url}?cursor=${cursor(parts)}`,
            headers: bearer(list.token),
          });
          expect(response.statusCode, `${list.url} ${JSON.stringify(parts)}`).toBe(400);
          expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
        }
      }
    });

    it('subscribeBooking with such an ID is refused as invalid over a socket', async () => {
      const { token } = await signUp(app, customerSignup());
      const socket = io(baseUrlOf(app), { auth: { token }, transports: ['websocket'], reconnection: false });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        for (const bookingId of TOO_BIG_IDS) {
          const ack: unknown = await socket.timeout(5_000).emitWithAck('subscribeBooking', { bookingId });
          expect(ack).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
        }
      } finally {
        socket.disconnect();
      }
    });
  });

  describe('slow clients (finding 8)', () => {
    it('a body trickled a byte at a time is cut off with 408', async () => {
      const head =
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
      const pieces = [head, ...'{"email":"slow@example.com","password":"x"'.split('')];
      const answer = await rawExchange(port, pieces, 400);
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'request_timeout' } });
    });

    it('headers that never finish are cut off', async () => {
      const answer = await rawExchange(
        port,
        ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n'],
        700,
      );
      expect(answer.status).toBe(408);
    });

    it('a connection that sends nothing is closed', async () => {
      const answer = await rawExchange(port, []);
      expect(answer.status).toBe(408);
    });

    it('an idle keep-alive connection is closed after its answer', async () => {
      const answer = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(answer.status).toBe(200);
      expect(answer.headers.toLowerCase()).toContain('keep-alive');
    });
  });

  describe('HTTP-layer errors keep the envelope (finding 9)', () => {
    const cases: { name: string; request: string; status: number; code: string }[] = [
      {
        name: 'duplicate Content-Length',
        request:
          'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'NUL in a header',
        request: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'bad chunk size',
        request:
          'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'headers over the size limit',
        request: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        status: 431,
        code: 'headers_too_large',
      },
    ];
    for (const { name, request, status, code } of cases) {
      it(`${name} is ${status} ${code} in the envelope`, async () => {
        const answer = await rawExchange(port, [request]);
        expect(answer.status).toBe(status);
        expect(answer.headers).toContain('application/json');
        expect(JSON.parse(answer.body)).toEqual({ error: { code, message: expect.any(String) as string } });
      });
    }
  });

  describe('Socket.IO transport refusals keep the envelope (finding 9)', () => {
    it('an unknown session or protocol version over long-polling is 400 in the envelope', async () => {
      for (const query of ['EIO=4&transport=polling&sid=no-such-session', 'EIO=9&transport=polling']) {
        const response = await fetch(`http://127.0.0.1:${port}/socket.io/?${query}`);
        expect(response.status, query).toBe(400);
        expect(await response.json(), query).toEqual({
          error: {
            code: 'bad_request',
            message: expect.any(String) as string,
            details: { transportCode: expect.any(Number) as number },
          },
        });
      }
    });
  });

  describe('request ids (finding 10)', () => {
    it('a hostile x-request-id is replaced, a safe one is kept', async () => {
      const hostile = `"'<>`.repeat(1024);
      const response = await app.http.inject({ url: '/healthz', headers: { 'x-request-id': hostile } });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.some((entry) => JSON.stringify(entry).includes(`"'<>"'<>`))).toBe(false);
      const safe = await app.http.inject({
        url: '/healthz',
        headers: { 'x-request-id': 'order-42.retry_1' },
      });
      expect(safe.headers['x-request-id']).toBe('order-42.retry_1');
    });
  });

  describe('client aborts (finding 11)', () => {
    it('a client that hangs up mid-body is logged at debug, not as an outage', async () => {
      const before = logs.length;
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(
            'POST /v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":',
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
      await waitFor(() => logs.slice(before).some((entry) => entry.msg === 'client closed the request'));
      expect(logs.slice(before).filter((entry) => entry.level >= 40)).toEqual([]);
    });
  });

  describe('text fields (finding 12)', () => {
    it('names of only spaces, control characters, odd phones and blank passwords are 400 and create nothing', async () => {
      const bad = [
        customerSignup({ name: '     ' }),
        customerSignup({ name: 'Asha\u0000Rao' }),
        customerSignup({ name: 'Asha\u001b[31m' }),
        customerSignup({ phone: '------' }),
        customerSignup({ phone: '((((((' }),
        customerSignup({ password: '          ' }),
      ];
      for (const body of bad) {
        const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: body });
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
        const login = await app.http.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: body.email, password: body.password },
        });
        expect(login.statusCode).toBe(401);
      }
      const trimmed = await signUp(app, customerSignup({ name: '  Asha Rao  ', phone: '+91 98765-43210' }));
      expect(trimmed.user.name).toBe('Asha Rao');
    });

    it('addresses and goods descriptions with NUL bytes are 400', async () => {
      const { token } = await signUp(app, customerSignup());
      const quote = await app.http.inject({
        method: 'POST',
        url: '/v1/quotes',
        headers: bearer(token),
        payload: { pickup: { ...PICKUP, address: 'MG\u0000Road' }, dropoff: DROPOFF, vehicleType: 'van' },
      });
      expect(quote.statusCode).toBe(400);
      const booking = await app.http.inject({
        method: 'POST',
        url: '/v1/bookings',
        headers: bearer(token),
        payload: {
          pickup: PICKUP,
          dropoff: DROPOFF,
          vehicleType: 'van',
          goods: { description: 'tiles\u0000', weightKg: 10 },
        },
      });
      expect(booking.statusCode).toBe(400);
      const list = await app.http.inject({ url: '/v1/bookings', headers: bearer(token) });
      expect(list.json<{ items: unknown[] }>().items).toEqual([]);
    });
  });

  describe('headers and operations (finding 13)', () => {
    it('plain HTTP gets neither HSTS nor upgrade-insecure-requests', async () => {
      const response = await app.http.inject({ url: '/healthz' });
      expect(response.headers['strict-transport-security']).toBeUndefined();
      expect(String(response.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    });

    it.runIf(!isCluster)('data files are readable by their owner only', () => {
      const dataDir = env.env.DATA_DIR ?? '';
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      const files = fs.readdirSync(dataDir).filter((name) => name.includes('.sqlite'));
      expect(files.length).toBeGreaterThanOrEqual(6);
      for (const name of files) {
        expect(fs.statSync(path.join(dataDir, name)).mode & 0o777, name).toBe(0o600);
      }
    });
  });
});

describe(`HTTPS deployments and protected metrics (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const metricsToken = 'metrics-token-0123456789';

  beforeAll(async () => {
    env = await TestEnvironment.create('https', {
      env: { COOKIE_SECURE: 'on', METRICS_TOKEN: metricsToken, RATE_LIMITS: 'off' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('sends HSTS and upgrade-insecure-requests when served over HTTPS', async () => {
    const response = await app.http.inject({ url: '/healthz' });
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(response.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('/metrics needs the token when one is configured', async () => {
    const anonymous = await app.http.inject({ url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const wrong = await app.http.inject({ url: '/metrics', headers: bearer('metrics-token-wrong-000000') });
    expect(wrong.statusCode).toBe(401);
    const right = await app.http.inject({ url: '/metrics', headers: bearer(metricsToken) });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('loadline_http_request_duration_seconds');
  });
});

describe(`client addresses behind a proxy (finding 4, ${tier})`, () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await TestEnvironment.create('proxy', { env: { AUTH_RATE_LIMIT_IP: '5/60' } });
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function signups(app: LoadlineApp, peer: string, forwardedFor: (attempt: number) => string) {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        remoteAddress: peer,
        headers: { 'x-forwarded-for': forwardedFor(attempt) },
        payload: customerSignup(),
      });
      statuses.push(response.statusCode);
    }
    return statuses;
  }

  const LIMITED = [201, 201, 201, 201, 201, 429, 429, 429];

  // Limits live in the shared store for the whole file: each case uses addresses of its own.
  const trusts = ['on', '1', '127.0.0.1', '10.0.0.0/8,127.0.0.1', 'loopback'];
  for (const [index, trust] of trusts.entries()) {
    it(`TRUST_PROXY=${trust}: a made-up left-most X-Forwarded-For does not dodge the per-IP limit`, async () => {
      const app = await env.start({ env: { TRUST_PROXY: trust } });
      try {
        expect(await signups(app, '127.0.0.1', (n) => `203.0.113.${n + 1}, 198.51.100.${index + 1}`)).toEqual(
          LIMITED,
        );
      } finally {
        await app.close();
      }
    });
  }

  it('behind a trusted proxy, each client address the proxy saw has its own limit', async () => {
    const app = await env.start({ env: { TRUST_PROXY: 'on' } });
    try {
      expect(await signups(app, '127.0.0.1', (n) => `192.0.2.${n + 100}`)).toEqual(Array(8).fill(201));
    } finally {
      await app.close();
    }
  });

  it('a peer outside the trusted proxy list is limited by its own address', async () => {
    const app = await env.start({ env: { TRUST_PROXY: '10.0.0.0/8' } });
    try {
      expect(await signups(app, '192.0.2.9', (n) => `192.0.2.${n + 200}`)).toEqual(LIMITED);
    } finally {
      await app.close();
    }
  });
});
