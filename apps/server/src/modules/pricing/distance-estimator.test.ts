import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GreatCircleEstimator, RoutingServiceEstimator } from './distance-estimator';
import { DEFAULT_REGION, PricingCatalog, loadPricingCatalog } from './pricing-catalog';

// MG Road to Whitefield, Bengaluru: 15.556 km as the crow flies.
const mgRoad = { lat: 12.9756, lng: 77.6066 };
const whitefield = { lat: 12.9698, lng: 77.75 };

describe('GreatCircleEstimator', () => {
  it('multiplies the great-circle distance by the road factor and drives it at the vehicle speed', async () => {
    const estimator = new GreatCircleEstimator(loadPricingCatalog(null));
    // 15.556 km × 1.3 = 20.22 km; at 20 km/h a van takes 60.7 minutes.
    expect(await estimator.estimate(mgRoad, whitefield, 'van')).toEqual({
      distanceKm: 20.22,
      durationMinutes: 60.7,
      source: 'great_circle',
    });
    // A bike at 25 km/h.
    expect(await estimator.estimate(mgRoad, whitefield, 'bike')).toMatchObject({
      distanceKm: 20.22,
      durationMinutes: 48.5,
    });
  });

  it("uses the pickup region's road factor and speeds", async () => {
    const catalog = new PricingCatalog([
      {
        ...DEFAULT_REGION,
        id: 'bengaluru',
        serviceArea: {
          kind: 'polygon',
          points: [
            { lat: 12.7, lng: 77.3 },
            { lat: 12.7, lng: 77.9 },
            { lat: 13.2, lng: 77.9 },
            { lat: 13.2, lng: 77.3 },
          ],
        },
        roadFactor: 1.5,
        speedKmh: { bike: 30, van: 20, mini_truck: 20, truck: 10 },
      },
      DEFAULT_REGION,
    ]);
    const estimator = new GreatCircleEstimator(catalog);
    // 15.556 km × 1.5 = 23.33 km; 46.7 minutes at 30 km/h.
    expect(await estimator.estimate(mgRoad, whitefield, 'bike')).toEqual({
      distanceKm: 23.33,
      durationMinutes: 46.7,
      source: 'great_circle',
    });
  });

  it('is zero for a trip that does not move', async () => {
    const estimator = new GreatCircleEstimator(loadPricingCatalog(null));
    expect(await estimator.estimate(mgRoad, mgRoad, 'truck')).toEqual({
      distanceKm: 0,
      durationMinutes: 0,
      source: 'great_circle',
    });
  });
});

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

describe('RoutingServiceEstimator', () => {
  let server: http.Server;
  let baseUrl: string;
  let handler: Handler;
  const requests: string[] = [];
  const warnings: { msg: string; url?: string; err?: { message: string } }[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => warnings.push(JSON.parse(line) as { msg: string }) },
  );
  const fallback = new GreatCircleEstimator(loadPricingCatalog(null));

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push(request.url ?? '');
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    requests.length = 0;
    warnings.length = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  // Each answer closes its connection, so no test inherits a socket an earlier one left behind.
  function answer(status: number, body: unknown): Handler {
    return (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify(body));
    };
  }

  function estimator(options: { url?: string; timeoutMs?: number } = {}): RoutingServiceEstimator {
    return new RoutingServiceEstimator({
      url: options.url ?? baseUrl,
      fallback,
      logger,
      timeoutMs: options.timeoutMs ?? 2000,
    });
  }

  it('asks the OSRM route API (lng,lat order) and reads metres and seconds', async () => {
    handler = answer(200, {
      code: 'Ok',
      routes: [{ distance: 18_345.6, duration: 2_250, legs: [] }],
      waypoints: [],
    });
    expect(await estimator({ url: `${baseUrl}/` }).estimate(mgRoad, whitefield, 'van')).toEqual({
      distanceKm: 18.35,
      durationMinutes: 37.5,
      source: 'routing',
    });
    expect(requests).toEqual(['/route/v1/driving/77.6066,12.9756;77.75,12.9698?overview=false']);
    expect(warnings).toEqual([]);
  });

  it('falls back to the great-circle estimate, with a warning, when the service errors', async () => {
    handler = answer(500, { message: 'boom' });
    expect(await estimator().estimate(mgRoad, whitefield, 'van')).toEqual({
      distanceKm: 20.22,
      durationMinutes: 60.7,
      source: 'great_circle',
    });
    expect(warnings).toMatchObject([
      { msg: 'routing service failed; using the great-circle estimate', url: baseUrl },
    ]);
  });

  it('falls back when there is no route or the answer is malformed', async () => {
    handler = answer(400, { code: 'NoRoute', message: 'Impossible route between points' });
    expect((await estimator().estimate(mgRoad, whitefield, 'van')).source).toBe('great_circle');
    handler = answer(200, { code: 'Ok', routes: [] });
    expect((await estimator().estimate(mgRoad, whitefield, 'van')).source).toBe('great_circle');
    handler = answer(200, { code: 'Ok', routes: [{ distance: 'far', duration: 10 }] });
    expect((await estimator().estimate(mgRoad, whitefield, 'van')).source).toBe('great_circle');
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      response.end('{ not json');
    };
    expect((await estimator().estimate(mgRoad, whitefield, 'van')).source).toBe('great_circle');
    expect(warnings).toHaveLength(4);
  });

  it('falls back when the service does not answer in time', async () => {
    handler = () => {
      // Never answers; the estimator's timeout must end the wait.
    };
    expect(await estimator({ timeoutMs: 200 }).estimate(mgRoad, whitefield, 'truck')).toEqual(
      await fallback.estimate(mgRoad, whitefield, 'truck'),
    );
    expect(warnings).toMatchObject([{ err: { message: expect.stringMatching(/timeout/i) as string } }]);
  });

  it('falls back when nothing listens at the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      (await estimator({ url: `http://127.0.0.1:${port}` }).estimate(mgRoad, whitefield, 'van')).source,
    ).toBe('great_circle');
    expect(warnings).toHaveLength(1);
  });
});
