import fs from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { VehicleType } from '@loadline/contracts';
import { ConfigError } from '../../config/config';
import type { GeoPoint } from '../../platform/geo/geo-index.port';
import { maxIndexableLat } from '../../platform/geo/memory-geo-index';
import { areaContains, areaProblem, type ServiceArea } from './service-area';

/** Rates of one vehicle type in one region, all in minor units of the region's currency. */
export interface VehicleRates {
  readonly baseFare: number;
  readonly perKm: number;
  readonly perMinute: number;
  readonly minimumFare: number;
}

export interface PricingRegion {
  readonly id: string;
  readonly name: string;
  /** ISO 4217 code; every amount of the region is in its minor unit. */
  readonly currency: string;
  /**
   * Where the region takes pickups and drop-offs. The first region (in catalog
   * order) whose area holds the pickup prices the trip; a point outside every
   * region's area is not served.
   */
  readonly serviceArea: ServiceArea;
  /** Longest trip per vehicle type, in road kilometres as priced. */
  readonly maxTripKm: Readonly<Record<VehicleType, number>>;
  /** Great-circle distance times this approximates road distance when no routing service is configured. */
  readonly roadFactor: number;
  readonly rates: Readonly<Record<VehicleType, VehicleRates>>;
  /** Average door-to-door speed per vehicle type, for durations estimated without a routing service. */
  readonly speedKmh: Readonly<Record<VehicleType, number>>;
}

/** A city: the built-in region serves the area around it. */
export interface City {
  readonly center: GeoPoint;
  readonly radiusKm: number;
}

/** The default `CITY_CENTER` (central Bengaluru) and `CITY_RADIUS_KM`. */
export const DEFAULT_CITY: City = { center: { lat: 12.9716, lng: 77.5946 }, radiusKm: 15 };

/**
 * How far around the city centre the built-in region serves: a metro area
 * with its satellite towns and airport, not just the core where generated
 * records and the simulator live.
 */
export const DEFAULT_SERVICE_RADIUS_KM = 75;

/**
 * Longest trips when a region sets none, in road km. A bike errand across a
 * metro (airport to the far suburbs is ~60 km) but not between cities; vans
 * and mini trucks for the metro and the next town; trucks for intercity loads.
 */
export const DEFAULT_MAX_TRIP_KM: Readonly<Record<VehicleType, number>> = {
  bike: 80,
  van: 200,
  mini_truck: 400,
  truck: 1500,
};

export const DEFAULT_ROAD_FACTOR = 1.3;

/** Typical city speeds: bikes filter through traffic, trucks are slowed by it and by entry windows. */
export const DEFAULT_SPEED_KMH: Readonly<Record<VehicleType, number>> = {
  bike: 25,
  van: 20,
  mini_truck: 18,
  truck: 15,
};

/**
 * The built-in region: Indian-city goods-transport rates in paise, roughly in
 * line with intra-city carriers (a bike errand from ₹40, a truck from ₹2,000),
 * serving DEFAULT_SERVICE_RADIUS_KM around the default city. `builtInRegion`
 * centres it on the configured city instead.
 */
export const DEFAULT_REGION: PricingRegion = {
  id: 'default',
  name: 'Default (India)',
  currency: 'INR',
  serviceArea: { kind: 'circle', center: DEFAULT_CITY.center, radiusKm: DEFAULT_SERVICE_RADIUS_KM },
  maxTripKm: DEFAULT_MAX_TRIP_KM,
  roadFactor: DEFAULT_ROAD_FACTOR,
  rates: {
    bike: { baseFare: 3000, perKm: 800, perMinute: 100, minimumFare: 4000 },
    van: { baseFare: 20000, perKm: 2000, perMinute: 200, minimumFare: 25000 },
    mini_truck: { baseFare: 40000, perKm: 3000, perMinute: 300, minimumFare: 50000 },
    truck: { baseFare: 150000, perKm: 6000, perMinute: 500, minimumFare: 200000 },
  },
  speedKmh: DEFAULT_SPEED_KMH,
};

/**
 * The built-in region around the configured city (`CITY_CENTER`): the
 * deployment without a pricing file serves the city its generated records,
 * simulator and demo live in, within DEFAULT_SERVICE_RADIUS_KM or
 * `CITY_RADIUS_KM`, whichever is larger.
 */
export function builtInRegion(city: City): PricingRegion {
  const serviceArea: ServiceArea = {
    kind: 'circle',
    center: { lat: city.center.lat, lng: city.center.lng },
    radiusKm: Math.max(DEFAULT_SERVICE_RADIUS_KM, city.radiusKm),
  };
  const problem = areaProblem(serviceArea);
  if (problem !== null) {
    throw new ConfigError(
      'CITY_CENTER',
      `is where the built-in pricing region serves (${serviceArea.radiusKm} km around it), which ${problem}; set PRICING_FILE instead`,
    );
  }
  return { ...DEFAULT_REGION, serviceArea };
}

function perVehicle<T extends TSchema>(schema: T) {
  return Type.Object(
    { bike: schema, van: schema, mini_truck: schema, truck: schema },
    { additionalProperties: false },
  );
}

const MinorUnits = Type.Integer({ minimum: 0, maximum: 100_000_000 });

const RatesSchema = Type.Object(
  { baseFare: MinorUnits, perKm: MinorUnits, perMinute: MinorUnits, minimumFare: MinorUnits },
  { additionalProperties: false },
);

/** A corner or centre; latitudes stop where the geo index does, so every served point can be indexed. */
const PointSchema = Type.Object(
  {
    lat: Type.Number({ minimum: -maxIndexableLat, maximum: maxIndexableLat }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

const CircleSchema = Type.Object(
  { center: PointSchema, radiusKm: Type.Number({ exclusiveMinimum: 0, maximum: 5000 }) },
  { additionalProperties: false },
);

const PolygonSchema = Type.Object(
  { polygon: Type.Array(PointSchema, { minItems: 3, maxItems: 1000 }) },
  { additionalProperties: false },
);

const RegionSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    serviceArea: Type.Union([CircleSchema, PolygonSchema]),
    maxTripKm: Type.Optional(perVehicle(Type.Number({ exclusiveMinimum: 0, maximum: 20_000 }))),
    roadFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 3 })),
    rates: perVehicle(RatesSchema),
    speedKmh: Type.Optional(perVehicle(Type.Number({ exclusiveMinimum: 0, maximum: 150 }))),
  },
  { additionalProperties: false },
);

/**
 * The pricing file: `{ "regions": [...] }`. Each region has a service area
 * (`{ "center": { "lat", "lng" }, "radiusKm" }` or `{ "polygon": [{ "lat", "lng" }, ...] }`);
 * the first region whose area holds the pickup prices the trip.
 */
export const PricingFileSchema = Type.Object(
  { regions: Type.Array(RegionSchema, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type PricingFile = Static<typeof PricingFileSchema>;
type RegionEntry = Static<typeof RegionSchema>;

/** A pricing file that cannot be used; names the file and the JSON path at fault so boot fails clearly. */
export class PricingFileError extends ConfigError {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
  ) {
    super('PRICING_FILE', `(${file}): ${path} ${detail}`);
    this.name = 'PricingFileError';
  }
}

/** The regions and their rates; picks the region that serves and prices a pickup. */
export class PricingCatalog {
  /** The first region; admin analytics report amounts in its currency. */
  readonly defaultRegion: PricingRegion;

  constructor(readonly regions: readonly PricingRegion[]) {
    const [first] = regions;
    if (first === undefined) {
      throw new RangeError('a pricing catalog needs at least one region');
    }
    this.defaultRegion = first;
  }

  /** The first region (in catalog order) whose service area holds the point; null when none does. */
  serviceRegion(point: GeoPoint): PricingRegion | null {
    return this.regions.find((region) => areaContains(region.serviceArea, point)) ?? null;
  }

  /**
   * `serviceRegion`, else the first region: for what needs a road factor or
   * speeds wherever a point is (a driver's ETA, generated history), never to
   * decide whether a trip is served.
   */
  regionFor(point: GeoPoint): PricingRegion {
    return this.serviceRegion(point) ?? this.defaultRegion;
  }
}

function toServiceArea(entry: RegionEntry['serviceArea']): ServiceArea {
  return 'polygon' in entry
    ? { kind: 'polygon', points: entry.polygon.map(({ lat, lng }) => ({ lat, lng })) }
    : { kind: 'circle', center: { lat: entry.center.lat, lng: entry.center.lng }, radiusKm: entry.radiusKm };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first schema violation as a JSON path and message (TypeBox's, lower-cased). A service area is a
 * union, whose own error says only that neither shape matched; the shape its
 * keys ask for (`polygon`, else a circle) names the field at fault instead.
 */
function firstViolation(data: unknown): { path: string; message: string } | null {
  const first = Value.Errors(PricingFileSchema, data).First();
  if (first === undefined) {
    return null;
  }
  const area = /^\/regions\/(\d+)\/serviceArea$/.exec(first.path);
  if (area !== null && isRecord(data) && Array.isArray(data.regions)) {
    const region: unknown = data.regions[Number(area[1])];
    const value = isRecord(region) ? region.serviceArea : undefined;
    if (isRecord(value)) {
      const shape = 'polygon' in value ? PolygonSchema : CircleSchema;
      const inner = Value.Errors(shape, value).First();
      if (inner !== undefined) {
        return { path: `${first.path}${inner.path}`, message: inner.message.toLowerCase() };
      }
    }
    return {
      path: first.path,
      message: 'must be { "center": { "lat", "lng" }, "radiusKm" } or { "polygon": [{ "lat", "lng" }, ...] }',
    };
  }
  return { path: first.path === '' ? '/' : first.path, message: first.message.toLowerCase() };
}

/** Validates parsed pricing-file content; `source` names the file in errors. */
export function parsePricingCatalog(data: unknown, source: string): PricingCatalog {
  if (isRecord(data) && Array.isArray(data.regions)) {
    const legacy = data.regions.findIndex((region) => isRecord(region) && 'bounds' in region);
    if (legacy !== -1) {
      throw new PricingFileError(
        source,
        `/regions/${legacy}/bounds`,
        'is no longer read: give every region a serviceArea instead ({ "polygon": [...] } or ' +
          '{ "center": {...}, "radiusKm": ... }); points outside every service area are refused',
      );
    }
  }
  const violation = firstViolation(data);
  if (violation !== null) {
    throw new PricingFileError(source, violation.path, violation.message);
  }
  const file = data as PricingFile;
  const seen = new Set<string>();
  const regions = file.regions.map((region, index): PricingRegion => {
    if (seen.has(region.id)) {
      throw new PricingFileError(source, `/regions/${index}/id`, `repeats the region id "${region.id}"`);
    }
    seen.add(region.id);
    const serviceArea = toServiceArea(region.serviceArea);
    const problem = areaProblem(serviceArea);
    if (problem !== null) {
      throw new PricingFileError(source, `/regions/${index}/serviceArea`, problem);
    }
    return {
      id: region.id,
      name: region.name,
      currency: region.currency,
      serviceArea,
      maxTripKm: region.maxTripKm ?? DEFAULT_MAX_TRIP_KM,
      roadFactor: region.roadFactor ?? DEFAULT_ROAD_FACTOR,
      rates: region.rates,
      speedKmh: region.speedKmh ?? DEFAULT_SPEED_KMH,
    };
  });
  return new PricingCatalog(regions);
}

/**
 * The catalog from a JSON pricing file, or the built-in region around `city`
 * when `file` is null. Throws PricingFileError (a ConfigError) so a bad file
 * stops the boot with a message naming the file and the bad path.
 */
export function loadPricingCatalog(file: string | null, city: City = DEFAULT_CITY): PricingCatalog {
  if (file === null) {
    return new PricingCatalog([builtInRegion(city)]);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PricingFileError(
      file,
      '/',
      `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PricingFileError(
      file,
      '/',
      `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parsePricingCatalog(data, file);
}
