import { Type } from '@sinclair/typebox';
import {
  Id,
  PriceBreakdown,
  Quote as QuoteSchema,
  QuoteStop,
  Timestamp,
  VEHICLE_CAPACITY_KG,
  type Coordinates,
  type Money,
  type Quote,
  type QuoteRequest,
  type VehicleType,
} from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import { decodeId, isId, logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import type { GeoPoint } from '../../platform/geo/geo-index.port';
import { GreatCircleEstimator, type DistanceEstimate, type DistanceEstimator } from './distance-estimator';
import { computePrice } from './price';
import type { PricingCatalog, PricingRegion } from './pricing-catalog';
import type { SurgeEstimator } from './surge';

/** Which end of a trip a service-area error is about. */
export type TripPoint = 'pickup' | 'dropoff';

/** User-facing messages of the module. */
const messages = {
  quoteExpired: 'This quote has expired; ask for a new one.',
  overCapacity: (vehicleType: VehicleType, capacityKg: number) =>
    `A ${vehicleType} carries at most ${capacityKg} kg; choose a larger vehicle.`,
  outsideServiceArea: (point: TripPoint, stop?: number) =>
    `We do not serve the ${point === 'pickup' ? 'pickup' : stop === undefined ? 'drop-off' : `stop ${stop}`} location; choose a place inside our service area.`,
  dropoffOrStops: 'Send either dropoff or stops (1 to 10 drop-offs in order); not both.',
  missingDropoff: "must have required property 'dropoff' (or 'stops')",
  stopsWithDropoff: "must not be sent with 'dropoff'",
  tripTooLong: (vehicleType: VehicleType, maxKm: number, distanceKm: number) =>
    `A ${vehicleType} trip may be at most ${maxKm} km; this one is ${distanceKm} km.`,
} as const;

/**
 * The module's refusals of a trip it will not serve, 422 like over_capacity:
 * the request is well formed, and asks for something the platform does not do.
 */
export const pricingErrors = {
  /**
   * The pickup or a drop-off lies outside every region's service area; for a
   * booking with `stops`, `details.stop` names the stop (its seq).
   */
  outsideServiceArea: (point: TripPoint, stop?: number) =>
    new AppError(422, 'outside_service_area', messages.outsideServiceArea(point, stop), {
      details: stop === undefined ? { point } : { point, stop },
    }),
  /** The trip's road distance is over the pickup region's maximum for the vehicle type. */
  tripTooLong: (vehicleType: VehicleType, maxKm: number, distanceKm: number) =>
    new AppError(422, 'trip_too_long', messages.tripTooLong(vehicleType, maxKm, distanceKm), {
      details: { distanceKm, maxKm, vehicleType },
    }),
} as const;

export interface PricingServiceDeps {
  catalog: PricingCatalog;
  distance: DistanceEstimator;
  surge: Pick<SurgeEstimator, 'multiplier'>;
  /** Where quotes live until a little past their expiry (Redis in cluster mode, the process in embedded mode). */
  cache: Cache;
  ids: IdGenerator;
  clock: Clock;
  quoteTtlSeconds: number;
}

/** A quote as kept in the cache: the contract's Quote plus its owner and age, checked when read back. */
const CACHED_QUOTE = new StoredJson(
  'cache quote',
  Type.Object({ ...QuoteSchema.properties, customerId: Id, createdAt: Timestamp }),
);

/**
 * How long a quote's cache entry outlives its expiry, so a booking a moment
 * late reads the entry and is told the quote's own expiry time (409), not
 * that the quote is unknown.
 */
export const QUOTE_ENTRY_GRACE_SECONDS = 60;

/**
 * How long after its expiry a quote ID whose entry is gone is still answered
 * 409 quote_expired from the time in the ID; older IDs are answered 404, so an
 * ID made up with a long-past time is not called a quote we gave.
 */
export const EXPIRED_QUOTE_ANSWER_MS = 7 * 24 * 3_600_000;

/** The cache key of a quote. */
export function quoteCacheKey(quoteId: string): string {
  return `quote:${quoteId}`;
}

/** A price worked out but not stored: what a booking made without a quote is charged. */
export interface PriceEstimate {
  vehicleType: VehicleType;
  pickup: Coordinates;
  /** The last stop. */
  dropoff: Coordinates;
  /** The drop-offs in order, when the request named `stops` (absent for a v1 `dropoff`). */
  stops?: QuoteStop[];
  distanceKm: number;
  durationMinutes: number;
  distanceSource: DistanceEstimate['source'];
  price: Money;
  surgeMultiplier: number;
  breakdown: PriceBreakdown;
}

/**
 * The drop-offs a request names, in order, numbered from 1: its `stops`, or
 * its `dropoff` as the one stop. 400 unless exactly one of the two is sent.
 */
export function requestedStops(request: Pick<QuoteRequest, 'dropoff' | 'stops'>): QuoteStop[] {
  const { dropoff, stops } = request;
  // Issues shaped as schema validation's, so clients read one format for every 400.
  if (stops === undefined) {
    if (dropoff === undefined) {
      throw errors.validation(messages.dropoffOrStops, {
        issues: [{ path: '/dropoff', message: messages.missingDropoff }],
      });
    }
    return [{ seq: 1, location: dropoff, recipient: null, goods: null }];
  }
  if (dropoff !== undefined) {
    throw errors.validation(messages.dropoffOrStops, {
      issues: [{ path: '/stops', message: messages.stopsWithDropoff }],
    });
  }
  return stops.map((stop, index) => ({
    seq: index + 1,
    location: stop.location,
    recipient: stop.recipient ?? null,
    goods: stop.goods ?? null,
  }));
}

/** The weight of every stop's goods together. */
export function stopsWeightKg(stops: readonly QuoteStop[]): number {
  return stops.reduce((sum, stop) => sum + (stop.goods?.weightKg ?? 0), 0);
}

/** The last stop's place: what `dropoff` answers for a trip with stops. */
function lastStop(stops: readonly QuoteStop[]): Coordinates {
  const last = stops[stops.length - 1];
  if (last === undefined) {
    throw new Error('a trip has at least one stop');
  }
  return last.location;
}

/** A stored quote as the bookings module needs it: the contract's Quote plus its owner and age. */
export interface StoredQuote extends Quote {
  customerId: string;
  createdAt: string;
}

/**
 * Refuses goods heavier than the largest vehicle of the type may carry:
 * 422 over_capacity with `{ capacityKg, weightKg }`. The request is well
 * formed (so not 400) and nothing conflicts with it (so not 409); it asks
 * for something this vehicle type cannot do.
 */
export function assertCapacity(vehicleType: VehicleType, weightKg: number): void {
  const capacityKg = VEHICLE_CAPACITY_KG[vehicleType];
  if (weightKg > capacityKg) {
    throw new AppError(422, 'over_capacity', messages.overCapacity(vehicleType, capacityKg), {
      details: { capacityKg, weightKg },
    });
  }
}

/** 422 trip_too_long when the road distance is over the region's maximum for the vehicle type. */
function assertTripLength(region: PricingRegion, vehicleType: VehicleType, distanceKm: number): void {
  const maxKm = region.maxTripKm[vehicleType];
  if (distanceKm > maxKm) {
    throw pricingErrors.tripTooLong(vehicleType, maxKm, distanceKm);
  }
}

/** Upfront prices: estimates, and quotes kept in the cache and honoured until they expire. */
export class PricingService {
  private readonly greatCircle: GreatCircleEstimator;

  constructor(private readonly deps: PricingServiceDeps) {
    this.greatCircle = new GreatCircleEstimator(deps.catalog);
  }

  /**
   * Prices a trip and keeps the quote in the cache until a little past its
   * expiry: one cache write, no SQL. The ID carries the customer's logical
   * shard and the time it was made, which a booking falls back on once the
   * entry is gone. A cache that is down is 503 unavailable: a quote that was
   * not kept could not be honoured, so none is given.
   */
  async quote(customerId: string, request: QuoteRequest): Promise<StoredQuote> {
    const estimate = await this.estimate(request);
    const { ids, clock, cache, quoteTtlSeconds } = this.deps;
    const now = clock.now();
    const quote: StoredQuote = {
      id: ids.next(logicalShardOf(customerId)),
      customerId,
      vehicleType: estimate.vehicleType,
      pickup: estimate.pickup,
      dropoff: estimate.dropoff,
      ...(estimate.stops === undefined ? {} : { stops: estimate.stops }),
      distanceKm: estimate.distanceKm,
      durationMinutes: estimate.durationMinutes,
      price: estimate.price,
      surgeMultiplier: estimate.surgeMultiplier,
      breakdown: estimate.breakdown,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + quoteTtlSeconds * 1000).toISOString(),
    };
    await cache.set(
      quoteCacheKey(quote.id),
      CACHED_QUOTE.write(quote),
      quoteTtlSeconds + QUOTE_ENTRY_GRACE_SECONDS,
    );
    return quote;
  }

  /**
   * The same numbers as `quote`, without storing anything. A trip with stops
   * is priced over every leg (pickup -> stop 1 -> ... -> stop n): each leg
   * measured as a one-drop-off trip is, the distances and durations added, and
   * the pickup region's rates and surge applied to the total once, so a
   * one-stop trip costs exactly what a v1 trip does.
   */
  async estimate(request: QuoteRequest): Promise<PriceEstimate> {
    const { distance, surge } = this.deps;
    const { pickup, vehicleType } = request;
    const stops = requestedStops(request);
    const multiStop = request.stops !== undefined;
    // Before anything measures or indexes the points: nothing outside the
    // service areas reaches the routing service or the geo index.
    const region = this.servingRegion(pickup, stops, multiStop);
    assertCapacity(vehicleType, stopsWeightKg(stops));
    const ends = [pickup, ...stops.map((stop) => stop.location)];
    const [legs, reading] = await Promise.all([
      Promise.all(
        stops.map((stop, index) => distance.estimate(ends[index] ?? pickup, stop.location, vehicleType)),
      ),
      surge.multiplier(vehicleType, pickup),
    ]);
    // Each leg is already rounded (10 m, 6 s); the sums are rounded again only to shed float noise.
    const distanceKm = Math.round(legs.reduce((sum, leg) => sum + leg.distanceKm, 0) * 100) / 100;
    const durationMinutes = Math.round(legs.reduce((sum, leg) => sum + leg.durationMinutes, 0) * 10) / 10;
    assertTripLength(region, vehicleType, distanceKm);
    const { price, breakdown } = computePrice({
      rates: region.rates[vehicleType],
      distanceKm,
      durationMinutes,
      surgeMultiplier: reading.multiplier,
      currency: region.currency,
      regionId: region.id,
    });
    return {
      vehicleType,
      pickup,
      dropoff: lastStop(stops),
      ...(multiStop ? { stops } : {}),
      distanceKm,
      durationMinutes,
      // Routed only when every leg was; one leg answered by the fallback makes the whole an estimate.
      distanceSource: legs.every((leg) => leg.source === 'routing') ? 'routing' : 'great_circle',
      price,
      surgeMultiplier: reading.multiplier,
      breakdown,
    };
  }

  /**
   * The customer's quote, for a booking to honour: one cache read, no SQL.
   * 404 when it does not exist or belongs to someone else (never revealing
   * which); 409 quote_expired once its expiry time is reached. Once the entry
   * is gone (a little past the expiry), the time in the ID answers: an ID on
   * the customer's logical shard whose quote would have expired by now, within
   * a week, is 409 with the expiry its time gives; any other unknown ID is 404.
   */
  async quoteForBooking(customerId: string, quoteId: string): Promise<StoredQuote> {
    if (!isId(quoteId)) {
      throw errors.notFound('Quote');
    }
    const { cache, clock } = this.deps;
    const stored = await cache.get(quoteCacheKey(quoteId));
    // An entry another version wrote in another shape is a miss, as any cache entry is.
    const quote = stored === null ? null : CACHED_QUOTE.readCached(stored);
    const now = clock.now();
    if (quote === null) {
      throw this.missingQuote(customerId, quoteId, now);
    }
    if (quote.customerId !== customerId || quote.id !== quoteId) {
      throw errors.notFound('Quote');
    }
    if (now >= Date.parse(quote.expiresAt)) {
      throw errors.conflict('quote_expired', messages.quoteExpired, { expiredAt: quote.expiresAt });
    }
    // The areas may have changed since the quote was given (a new pricing file).
    const stops = quote.stops ?? requestedStops({ dropoff: quote.dropoff });
    const region = this.servingRegion(quote.pickup, stops, quote.stops !== undefined);
    assertTripLength(region, quote.vehicleType, quote.distanceKm);
    return quote;
  }

  /** The answer for a quote ID with no cache entry: 409 when its time says it expired, else 404. */
  private missingQuote(customerId: string, quoteId: string, now: number): AppError {
    // A quote's ID is made on its customer's logical shard; one on another is nobody's quote for them.
    if (logicalShardOf(quoteId) !== logicalShardOf(customerId)) {
      return errors.notFound('Quote');
    }
    const expiredAt = decodeId(quoteId).timestampMs + this.deps.quoteTtlSeconds * 1000;
    if (now < expiredAt || now - expiredAt > EXPIRED_QUOTE_ANSWER_MS) {
      // Live by its time but unknown (made up, or lost with the cache), or too old to be told apart from made up.
      return errors.notFound('Quote');
    }
    return errors.conflict('quote_expired', messages.quoteExpired, {
      expiredAt: new Date(expiredAt).toISOString(),
    });
  }

  /**
   * The region that prices a trip: the pickup's. The pickup and every stop
   * must lie in some region's service area (not necessarily the same one),
   * else 422 outside_service_area naming the first point that does not (and,
   * for a trip with `stops`, which stop).
   */
  private servingRegion(pickup: GeoPoint, stops: readonly QuoteStop[], multiStop: boolean): PricingRegion {
    const region = this.deps.catalog.serviceRegion(pickup);
    if (region === null) {
      throw pricingErrors.outsideServiceArea('pickup');
    }
    const outside = stops.find((stop) => this.deps.catalog.serviceRegion(stop.location) === null);
    if (outside !== undefined) {
      throw pricingErrors.outsideServiceArea('dropoff', multiStop ? outside.seq : undefined);
    }
    return region;
  }

  /** `assertCapacity` as a method, so the service alone is everything the bookings module needs from pricing. */
  assertCapacity(vehicleType: VehicleType, weightKg: number): void {
    assertCapacity(vehicleType, weightKg);
  }

  /**
   * Minutes to drive between two points, from the great-circle estimate (never
   * the routing service): synchronous and free, for ETAs recomputed on every
   * location ping.
   */
  travelMinutes(vehicleType: VehicleType, from: GeoPoint, to: GeoPoint): number {
    return this.greatCircle.measure(from, to, vehicleType).durationMinutes;
  }

  /**
   * Minutes to drive between two points by road: the routing service when one
   * is configured (its failures answered by the great-circle estimate), for
   * live ETAs recomputed now and then rather than on every ping.
   */
  async routeMinutes(vehicleType: VehicleType, from: GeoPoint, to: GeoPoint): Promise<number> {
    return (await this.deps.distance.estimate(from, to, vehicleType)).durationMinutes;
  }
}
