import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RouteShape } from '@loadline/contracts';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import type { GeoPoint } from '../../platform/geo/geo-index.port';

/** A road route's points in the shared cache, checked when read back. */
const CACHED_POINTS = new StoredJson('cached route shape', RouteShape.properties.points);

/** Road shapes change rarely: an hour in the shared cache. */
const CACHE_TTL_SECONDS = 3600;
/** A drawn line needs no more points than this; longer ones keep every n-th (and the last). */
const MAX_POINTS = 1500;

const OsrmGeometryResponse = Type.Object({
  code: Type.Literal('Ok'),
  routes: Type.Array(
    Type.Object({
      geometry: Type.Object({
        type: Type.Literal('LineString'),
        coordinates: Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 2 }),
      }),
    }),
    { minItems: 1 },
  ),
});

export interface RouteShapesOptions {
  /** Base URL of an OSRM-compatible service; null draws straight lines. */
  url: string | null;
  cache: Cache;
  logger: Pick<Logger, 'warn'>;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

function straight(points: readonly GeoPoint[]): RouteShape {
  return { source: 'straight', points: points.map(({ lat, lng }) => ({ lat, lng })) };
}

/** Keeps about MAX_POINTS, evenly spread, always the first and the last. */
function thinned(points: RouteShape['points']): RouteShape['points'] {
  const step = Math.ceil(points.length / MAX_POINTS);
  if (step <= 1) {
    return points;
  }
  const kept = points.filter((_, index) => index % step === 0);
  const last = points[points.length - 1];
  return last !== undefined && kept[kept.length - 1] !== last ? [...kept, last] : kept;
}

/**
 * The line maps draw for a route: the roads between the waypoints from an
 * OSRM-compatible routing service (`ROUTING_URL`, its `overview=full` GeoJSON
 * geometry), cached by waypoints rounded to about a metre; straight between
 * them when no service is configured or it fails (logged, not cached).
 */
export class RouteShapes {
  private readonly baseUrl: string | null;
  private readonly timeoutMs: number;

  constructor(private readonly options: RouteShapesOptions) {
    this.baseUrl = options.url === null ? null : options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  get roads(): boolean {
    return this.baseUrl !== null;
  }

  async shape(points: readonly GeoPoint[]): Promise<RouteShape> {
    if (this.baseUrl === null) {
      return straight(points);
    }
    const waypoints = points.map(({ lat, lng }) => `${lng.toFixed(5)},${lat.toFixed(5)}`).join(';');
    const key = `route-shape:${waypoints}`;
    const cached = await this.options.cache.get(key);
    const hit = cached === null ? null : CACHED_POINTS.readCached(cached);
    if (hit !== null) {
      return { source: 'road', points: hit };
    }
    const url = `${this.baseUrl}/route/v1/driving/${waypoints}?overview=full&geometries=geojson`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) {
        throw new Error(`routing service answered HTTP ${response.status}`);
      }
      const body: unknown = await response.json();
      if (!Value.Check(OsrmGeometryResponse, body)) {
        throw new Error('routing service answered without a usable route geometry');
      }
      const [route] = body.routes;
      if (route === undefined) {
        throw new Error('routing service answered without a route');
      }
      const shape = thinned(route.geometry.coordinates.map(([lng, lat]) => ({ lat, lng })));
      await this.options.cache.set(key, CACHED_POINTS.write(shape), CACHE_TTL_SECONDS);
      return { source: 'road', points: shape };
    } catch (error) {
      this.options.logger.warn(
        { err: error, url: this.baseUrl },
        'routing service failed; drawing a straight line',
      );
      return straight(points);
    }
  }
}

/** `lat,lng;lat,lng;…` (shape checked by the query schema) as points; null when one is off the globe. */
export function parseWaypoints(text: string): GeoPoint[] | null {
  const points = text.split(';').map((pair) => {
    const [lat = Number.NaN, lng = Number.NaN] = pair.split(',').map(Number);
    return { lat, lng };
  });
  return points.every(({ lat, lng }) => Math.abs(lat) <= 90 && Math.abs(lng) <= 180) ? points : null;
}
