import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteShape } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, customerSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { MemoryCache } from '../../platform/cache/memory-cache';
import { parseWaypoints, RouteShapes } from './route-shapes';

const silent = pino({ level: 'silent' });
const pickup = { lat: 12.9756, lng: 77.6066 };
const dropoff = { lat: 12.9698, lng: 77.75 };
/** What the stub routing service draws: a bend between the two points. */
const BEND: [number, number][] = [
  [77.6066, 12.9756],
  [77.68, 12.99],
  [77.75, 12.9698],
];

/** An OSRM-compatible stub: the bend for every route, or HTTP 500 while `failing`. */
function startRouting() {
  const requests: string[] = [];
  const state = { failing: false };
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    if (state.failing) {
      response.writeHead(500).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        code: 'Ok',
        routes: [{ distance: 17_000, duration: 1500, geometry: { type: 'LineString', coordinates: BEND } }],
      }),
    );
  });
  return { server, requests, state };
}

describe('route shapes', () => {
  const routing = startRouting();
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => routing.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(routing.server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => routing.server.close(resolve));
  });

  it('follow the roads the routing service draws, asking it once for the same waypoints', async () => {
    const shapes = new RouteShapes({ url, cache: new MemoryCache(), logger: silent });
    const expected: RouteShape = {
      source: 'road',
      points: BEND.map(([lng, lat]) => ({ lat, lng })),
    };
    const asked = routing.requests.length;
    expect(await shapes.shape([pickup, dropoff])).toEqual(expected);
    expect(await shapes.shape([pickup, dropoff])).toEqual(expected);
    expect(routing.requests.slice(asked)).toEqual([
      '/route/v1/driving/77.60660,12.97560;77.75000,12.96980?overview=full&geometries=geojson',
    ]);
  });

  it('are straight between the waypoints without a routing service, or when it fails', async () => {
    const none = new RouteShapes({ url: null, cache: new MemoryCache(), logger: silent });
    expect(await none.shape([pickup, dropoff])).toEqual({ source: 'straight', points: [pickup, dropoff] });
    routing.state.failing = true;
    try {
      const failing = new RouteShapes({ url, cache: new MemoryCache(), logger: silent });
      expect(await failing.shape([pickup, dropoff])).toEqual({
        source: 'straight',
        points: [pickup, dropoff],
      });
    } finally {
      routing.state.failing = false;
    }
  });

  it('read waypoints as lat,lng pairs and refuse points off the globe', () => {
    expect(parseWaypoints('12.97,77.6;-33.9,151.2')).toEqual([
      { lat: 12.97, lng: 77.6 },
      { lat: -33.9, lng: 151.2 },
    ]);
    expect(parseWaypoints('95,77.6;12,77')).toBeNull();
  });
});

describe(`GET /v1/route (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('routeshape', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('answers signed-in users with the line to draw; 401 without a session, 400 for bad points', async () => {
    const customer = await signUp(app, customerSignup());
    const answer = await app.http.inject({
      url: '/v1/route?points=12.9756,77.6066;12.9698,77.75',
      headers: bearer(customer.token),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ source: 'straight', points: [pickup, dropoff] });
    expect(
      (await app.http.inject({ url: '/v1/route?points=12.9756,77.6066;12.9698,77.75' })).statusCode,
    ).toBe(401);
    for (const points of ['12.9756,77.6066', '95,77.6;12,77', 'here;there']) {
      const bad = await app.http.inject({
        url: `/v1/route?points=${encodeURIComponent(points)}`,
        headers: bearer(customer.token),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});
