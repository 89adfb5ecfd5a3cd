import fs from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { VehicleType } from '@loadline/contracts';
import { ConfigError } from '../../config/config';
import type { GeoPoint } from '../../platform/geo/geo-index.port';

/** Rates of one vehicle type in one region, all in minor units of the region's currency. */
export interface VehicleRates {
  readonly baseFare: number;
  readonly perKm: number;
  readonly perMinute: number;
  readonly minimumFare: number;
}

/** An inclusive latitude/longitude box. Boxes do not cross the antimeridian (minLng <= maxLng). */
export interface RegionBounds {
  readonly minLat: number;
  readonly maxLat: number;
  readonly minLng: number;
  readonly maxLng: number;
}

export interface PricingRegion {
  readonly id: string;
  readonly name: string;
  /** ISO 4217 code; every amount of the region is in its minor unit. */
  readonly currency: string;
  /** Null for the default region, which prices every pickup no other region contains. */
  readonly bounds: RegionBounds | null;
  /** Great-circle distance times this approximates road distance when no routing service is configured. */
  readonly roadFactor: number;
  readonly rates: Readonly<Record<VehicleType, VehicleRates>>;
  /** Average door-to-door speed per vehicle type, for durations estimated without a routing service. */
  readonly speedKmh: Readonly<Record<VehicleType, number>>;
}

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
 * line with intra-city carriers (a bike errand from ₹40, a truck from ₹2,000).
 */
export const DEFAULT_REGION: PricingRegion = {
  id: 'default',
  name: 'Default (India)',
  currency: 'INR',
  bounds: null,
  roadFactor: DEFAULT_ROAD_FACTOR,
  rates: {
    bike: { baseFare: 3000, perKm: 800, perMinute: 100, minimumFare: 4000 },
    van: { baseFare: 20000, perKm: 2000, perMinute: 200, minimumFare: 25000 },
    mini_truck: { baseFare: 40000, perKm: 3000, perMinute: 300, minimumFare: 50000 },
    truck: { baseFare: 150000, perKm: 6000, perMinute: 500, minimumFare: 200000 },
  },
  speedKmh: DEFAULT_SPEED_KMH,
};

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

const BoundsSchema = Type.Object(
  {
    minLat: Type.Number({ minimum: -90, maximum: 90 }),
    maxLat: Type.Number({ minimum: -90, maximum: 90 }),
    minLng: Type.Number({ minimum: -180, maximum: 180 }),
    maxLng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

const RegionSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    bounds: Type.Optional(BoundsSchema),
    roadFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 3 })),
    rates: perVehicle(RatesSchema),
    speedKmh: Type.Optional(perVehicle(Type.Number({ exclusiveMinimum: 0, maximum: 150 }))),
  },
  { additionalProperties: false },
);

/**
 * The pricing file: `{ "regions": [...] }`. Regions with bounds are tried in
 * file order; exactly one region has no bounds and catches everything else.
 */
export const PricingFileSchema = Type.Object(
  { regions: Type.Array(RegionSchema, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type PricingFile = Static<typeof PricingFileSchema>;

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

function contains(bounds: RegionBounds, point: GeoPoint): boolean {
  return (
    point.lat >= bounds.minLat &&
    point.lat <= bounds.maxLat &&
    point.lng >= bounds.minLng &&
    point.lng <= bounds.maxLng
  );
}

/** The regions and their rates; picks the region that prices a pickup. */
export class PricingCatalog {
  readonly defaultRegion: PricingRegion;
  private readonly bounded: readonly PricingRegion[];

  constructor(readonly regions: readonly PricingRegion[]) {
    const unbounded = regions.filter((region) => region.bounds === null);
    const [fallback] = unbounded;
    if (fallback === undefined || unbounded.length > 1) {
      throw new RangeError(
        `a pricing catalog needs exactly one region without bounds, got ${unbounded.length}`,
      );
    }
    this.defaultRegion = fallback;
    this.bounded = regions.filter((region) => region.bounds !== null);
  }

  /** The first region (in catalog order) whose bounds contain the point, else the default region. */
  regionFor(point: GeoPoint): PricingRegion {
    return (
      this.bounded.find((region) => region.bounds !== null && contains(region.bounds, point)) ??
      this.defaultRegion
    );
  }
}

/** Validates parsed pricing-file content; `source` names the file in errors. */
export function parsePricingCatalog(data: unknown, source: string): PricingCatalog {
  const first = Value.Errors(PricingFileSchema, data).First();
  if (first !== undefined) {
    throw new PricingFileError(source, first.path === '' ? '/' : first.path, first.message.toLowerCase());
  }
  const file = data as PricingFile;
  const seen = new Set<string>();
  let defaults = 0;
  file.regions.forEach((region, index) => {
    if (seen.has(region.id)) {
      throw new PricingFileError(source, `/regions/${index}/id`, `repeats the region id "${region.id}"`);
    }
    seen.add(region.id);
    const { bounds } = region;
    if (bounds === undefined) {
      defaults += 1;
      return;
    }
    if (bounds.minLat > bounds.maxLat) {
      throw new PricingFileError(source, `/regions/${index}/bounds`, 'has minLat greater than maxLat');
    }
    if (bounds.minLng > bounds.maxLng) {
      throw new PricingFileError(source, `/regions/${index}/bounds`, 'has minLng greater than maxLng');
    }
  });
  if (defaults !== 1) {
    throw new PricingFileError(
      source,
      '/regions',
      `must hold exactly one region without bounds (the default for pickups outside every other region), found ${defaults}`,
    );
  }
  return new PricingCatalog(
    file.regions.map((region) => ({
      id: region.id,
      name: region.name,
      currency: region.currency,
      bounds: region.bounds ?? null,
      roadFactor: region.roadFactor ?? DEFAULT_ROAD_FACTOR,
      rates: region.rates,
      speedKmh: region.speedKmh ?? DEFAULT_SPEED_KMH,
    })),
  );
}

/**
 * The catalog from a JSON pricing file, or the built-in default region when
 * `file` is null. Throws PricingFileError (a ConfigError) so a bad file stops
 * the boot with a message naming the file and the bad path.
 */
export function loadPricingCatalog(file: string | null): PricingCatalog {
  if (file === null) {
    return new PricingCatalog([DEFAULT_REGION]);
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
