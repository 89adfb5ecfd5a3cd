import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { haversineKm, type VehicleType } from '@loadline/contracts';
import type { Logger } from '../../lib/logger';
import type { GeoPoint } from '../../platform/geo/geo-index.port';
import type { PricingCatalog } from './pricing-catalog';

export interface DistanceEstimate {
  distanceKm: number;
  durationMinutes: number;
  source: 'great_circle' | 'routing';
}

/** Road distance and driving time between two points for a vehicle type. */
export interface DistanceEstimator {
  estimate(pickup: GeoPoint, dropoff: GeoPoint, vehicleType: VehicleType): Promise<DistanceEstimate>;
}

/**
 * Estimates are rounded before anyone prices them (distance to 10 m, duration
 * to 6 s), so the numbers a quote shows are exactly the numbers it was priced
 * from and anyone can recompute its price.
 */
function rounded(
  distanceKm: number,
  durationMinutes: number,
  source: DistanceEstimate['source'],
): DistanceEstimate {
  return {
    distanceKm: Math.round(distanceKm * 100) / 100,
    durationMinutes: Math.round(durationMinutes * 10) / 10,
    source,
  };
}

/**
 * Great-circle distance times the pickup region's road factor; duration at the
 * region's average speed for the vehicle type. No handling time is added:
 * loading and unloading are not billed by the minute.
 */
export class GreatCircleEstimator implements DistanceEstimator {
  constructor(private readonly catalog: PricingCatalog) {}

  estimate(pickup: GeoPoint, dropoff: GeoPoint, vehicleType: VehicleType): Promise<DistanceEstimate> {
    return Promise.resolve(this.measure(pickup, dropoff, vehicleType));
  }

  /** The same estimate, synchronously: for ETAs computed on hot paths where no I/O is wanted. */
  measure(pickup: GeoPoint, dropoff: GeoPoint, vehicleType: VehicleType): DistanceEstimate {
    const region = this.catalog.regionFor(pickup);
    const distanceKm = haversineKm(pickup, dropoff) * region.roadFactor;
    const durationMinutes = (distanceKm / region.speedKmh[vehicleType]) * 60;
    return rounded(distanceKm, durationMinutes, 'great_circle');
  }
}

const OsrmRouteResponse = Type.Object({
  code: Type.Literal('Ok'),
  routes: Type.Array(
    Type.Object({
      distance: Type.Number({ minimum: 0 }),
      duration: Type.Number({ minimum: 0 }),
    }),
    { minItems: 1 },
  ),
});

export interface RoutingServiceEstimatorOptions {
  /** Base URL of an OSRM-compatible service, e.g. http://127.0.0.1:5000. */
  url: string;
  /** Used whenever the routing service fails, so a quote never waits on or fails with it. */
  fallback: DistanceEstimator;
  logger: Pick<Logger, 'warn'>;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

/**
 * Road distance and duration from an OSRM-compatible routing service
 * (`/route/v1/driving`). OSRM's driving profile is a car's: its duration is
 * used as is for every vehicle type. Any failure (refused, timed out, non-2xx,
 * no route, a malformed answer) is logged and answered by the fallback.
 */
export class RoutingServiceEstimator implements DistanceEstimator {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: RoutingServiceEstimatorOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  async estimate(pickup: GeoPoint, dropoff: GeoPoint, vehicleType: VehicleType): Promise<DistanceEstimate> {
    const url = `${this.baseUrl}/route/v1/driving/${pickup.lng},${pickup.lat};${dropoff.lng},${dropoff.lat}?overview=false`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) {
        throw new Error(`routing service answered HTTP ${response.status}`);
      }
      const body: unknown = await response.json();
      if (!Value.Check(OsrmRouteResponse, body)) {
        throw new Error('routing service answered without a usable route');
      }
      const [route] = body.routes;
      if (route === undefined) {
        throw new Error('routing service answered without a route');
      }
      return rounded(route.distance / 1000, route.duration / 60, 'routing');
    } catch (error) {
      this.options.logger.warn(
        { err: error, url: this.baseUrl, vehicleType },
        'routing service failed; using the great-circle estimate',
      );
      return this.options.fallback.estimate(pickup, dropoff, vehicleType);
    }
  }
}
