import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config';
import {
  DEFAULT_MAX_TRIP_KM,
  DEFAULT_REGION,
  DEFAULT_ROAD_FACTOR,
  DEFAULT_SPEED_KMH,
  PricingFileError,
  loadPricingCatalog,
} from './pricing-catalog';

const rates = (base: number) => ({
  bike: { baseFare: base, perKm: 100, perMinute: 10, minimumFare: base },
  van: { baseFare: base * 2, perKm: 200, perMinute: 20, minimumFare: base * 2 },
  mini_truck: { baseFare: base * 3, perKm: 300, perMinute: 30, minimumFare: base * 3 },
  truck: { baseFare: base * 4, perKm: 400, perMinute: 40, minimumFare: base * 4 },
});

const bengaluruSquare = [
  { lat: 12.7, lng: 77.3 },
  { lat: 12.7, lng: 77.9 },
  { lat: 13.2, lng: 77.9 },
  { lat: 13.2, lng: 77.3 },
];

const validFile = {
  regions: [
    {
      id: 'bengaluru',
      name: 'Bengaluru',
      currency: 'INR',
      serviceArea: { polygon: bengaluruSquare },
      maxTripKm: { bike: 40, van: 120, mini_truck: 200, truck: 600 },
      roadFactor: 1.4,
      rates: rates(2500),
      speedKmh: { bike: 22, van: 18, mini_truck: 16, truck: 12 },
    },
    {
      id: 'karnataka',
      name: 'Karnataka (rest)',
      currency: 'INR',
      serviceArea: { center: { lat: 15.3, lng: 76 }, radiusKm: 400 },
      rates: rates(2000),
    },
    {
      id: 'nyc',
      name: 'New York City',
      currency: 'USD',
      serviceArea: { center: { lat: 40.7128, lng: -74.006 }, radiusKm: 50 },
      rates: rates(500),
    },
  ],
};

describe('loadPricingCatalog', () => {
  let dir: string;

  function write(name: string, content: unknown): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  function failure(file: string): PricingFileError {
    try {
      loadPricingCatalog(file);
    } catch (error) {
      if (error instanceof PricingFileError) {
        return error;
      }
      throw error;
    }
    throw new Error('the pricing file was accepted');
  }

  /** A copy of the valid file with one region's fields replaced. */
  function withRegion(index: number, fields: Record<string, unknown>): unknown {
    return {
      regions: validFile.regions.map((region, at) => (at === index ? { ...region, ...fields } : region)),
    };
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-pricing-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without a file, serves 75 km around central Bengaluru with the built-in INR region', () => {
    const catalog = loadPricingCatalog(null);
    expect(catalog.regions).toEqual([DEFAULT_REGION]);
    expect(DEFAULT_REGION.serviceArea).toEqual({
      kind: 'circle',
      center: { lat: 12.9716, lng: 77.5946 },
      radiusKm: 75,
    });
    expect(DEFAULT_REGION.maxTripKm).toEqual({ bike: 80, van: 200, mini_truck: 400, truck: 1500 });
    expect(catalog.serviceRegion({ lat: 12.9716, lng: 77.5946 })).toEqual(DEFAULT_REGION);
    // Kempegowda airport and Electronic City, the ends of the web app's gazetteer.
    expect(catalog.serviceRegion({ lat: 13.1986, lng: 77.7066 })?.id).toBe('default');
    expect(catalog.serviceRegion({ lat: 12.8003, lng: 77.5776 })?.id).toBe('default');
    // Mysuru is 125 km away; Sydney and the pole further still.
    expect(catalog.serviceRegion({ lat: 12.2958, lng: 76.6394 })).toBeNull();
    expect(catalog.serviceRegion({ lat: -33.86, lng: 151.2 })).toBeNull();
    expect(catalog.serviceRegion({ lat: 89.5, lng: 77.5946 })).toBeNull();
    // Rates and speeds are still found for a point no region serves (a driver's ETA anywhere).
    expect(catalog.regionFor({ lat: -33.86, lng: 151.2 }).id).toBe('default');
    expect(DEFAULT_REGION.currency).toBe('INR');
    expect(DEFAULT_REGION.rates.bike.baseFare).toBe(3000);
    expect(DEFAULT_REGION.rates.truck.baseFare).toBe(150000);
  });

  it('the built-in region follows CITY_CENTER, and CITY_RADIUS_KM when that is larger', () => {
    const pune = { lat: 18.5204, lng: 73.8567 };
    const [region] = loadPricingCatalog(null, { center: pune, radiusKm: 15 }).regions;
    expect(region).toEqual({
      ...DEFAULT_REGION,
      serviceArea: { kind: 'circle', center: pune, radiusKm: 75 },
    });
    const [wide] = loadPricingCatalog(null, { center: pune, radiusKm: 120 }).regions;
    expect(wide?.serviceArea).toEqual({ kind: 'circle', center: pune, radiusKm: 120 });
  });

  it('a CITY_CENTER whose built-in area would reach past the geo index is a ConfigError naming it', () => {
    expect(() => loadPricingCatalog(null, { center: { lat: 85, lng: 0 }, radiusKm: 15 })).toThrow(
      new ConfigError(
        'CITY_CENTER',
        'is where the built-in pricing region serves (75 km around it), which reaches beyond latitude ' +
          '±85.05112878, which the geo index cannot hold; set PRICING_FILE instead',
      ),
    );
  });

  it('loads a valid file, filling in the default maximum trips, road factor and speeds', () => {
    const catalog = loadPricingCatalog(write('valid.json', validFile));
    expect(catalog.regions.map((region) => region.id)).toEqual(['bengaluru', 'karnataka', 'nyc']);
    expect(catalog.defaultRegion.id).toBe('bengaluru');
    const [bengaluru, karnataka] = catalog.regions;
    expect(bengaluru).toMatchObject({
      serviceArea: { kind: 'polygon', points: bengaluruSquare },
      maxTripKm: { bike: 40, van: 120, mini_truck: 200, truck: 600 },
      roadFactor: 1.4,
      speedKmh: { bike: 22, van: 18, mini_truck: 16, truck: 12 },
    });
    expect(karnataka).toMatchObject({
      serviceArea: { kind: 'circle', center: { lat: 15.3, lng: 76 }, radiusKm: 400 },
      maxTripKm: DEFAULT_MAX_TRIP_KM,
      roadFactor: DEFAULT_ROAD_FACTOR,
      speedKmh: DEFAULT_SPEED_KMH,
    });
  });

  it('picks the first region whose service area holds the point; none outside every area', () => {
    const catalog = loadPricingCatalog(write('select.json', validFile));
    // Inside both areas: the first listed wins.
    expect(catalog.serviceRegion({ lat: 12.9716, lng: 77.5946 })?.id).toBe('bengaluru');
    expect(catalog.serviceRegion({ lat: 15.3647, lng: 75.124 })?.id).toBe('karnataka');
    // Polygon edges belong to the area.
    expect(catalog.serviceRegion({ lat: 13.2, lng: 77.9 })?.id).toBe('bengaluru');
    expect(catalog.serviceRegion({ lat: 40.7128, lng: -74.006 })?.id).toBe('nyc');
    expect(catalog.serviceRegion({ lat: 51.5074, lng: -0.1278 })).toBeNull();
  });

  it('names the file and the JSON path of a bad value', () => {
    const bad = structuredClone(validFile);
    Object.assign(bad.regions[0]?.rates.bike ?? {}, { perKm: 12.5 });
    const file = write('bad-rate.json', bad);
    const error = failure(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.file).toBe(file);
    expect(error.path).toBe('/regions/0/rates/bike/perKm');
    expect(error.message).toBe(
      `Invalid configuration: PRICING_FILE (${file}): /regions/0/rates/bike/perKm expected integer`,
    );
  });

  it('rejects a missing vehicle type, a lower-case currency and an unknown field, each by path', () => {
    const missing = structuredClone(validFile) as { regions: Record<string, unknown>[] };
    const ratesOfFirst = missing.regions[0]?.rates as Record<string, unknown>;
    delete ratesOfFirst.truck;
    expect(failure(write('missing.json', missing)).path).toBe('/regions/0/rates/truck');

    const currency = structuredClone(validFile);
    Object.assign(currency.regions[2] ?? {}, { currency: 'usd' });
    expect(failure(write('currency.json', currency)).path).toBe('/regions/2/currency');

    const extra = structuredClone(validFile);
    Object.assign(extra.regions[1] ?? {}, { surcharge: 5 });
    expect(failure(write('extra.json', extra)).path).toBe('/regions/1/surcharge');
  });

  it('names the bad field of a service area by path, and refuses one without', () => {
    const noArea = structuredClone(validFile) as { regions: Record<string, unknown>[] };
    delete noArea.regions[2]?.serviceArea;
    const noAreaError = failure(write('no-area.json', noArea));
    expect(noAreaError.path).toBe('/regions/2/serviceArea');
    expect(noAreaError.message).toContain(
      'must be { "center": { "lat", "lng" }, "radiusKm" } or { "polygon"',
    );

    const twoCorners = withRegion(0, { serviceArea: { polygon: bengaluruSquare.slice(0, 2) } });
    expect(failure(write('two-corners.json', twoCorners)).path).toBe('/regions/0/serviceArea/polygon');

    const polar = withRegion(1, { serviceArea: { center: { lat: 89.5, lng: 0 }, radiusKm: 10 } });
    expect(failure(write('polar.json', polar)).path).toBe('/regions/1/serviceArea/center/lat');

    const noRadius = withRegion(1, { serviceArea: { center: { lat: 15, lng: 76 }, radiusKm: 0 } });
    expect(failure(write('no-radius.json', noRadius)).path).toBe('/regions/1/serviceArea/radiusKm');

    const noMax = withRegion(1, { maxTripKm: { bike: 0, van: 1, mini_truck: 1, truck: 1 } });
    expect(failure(write('no-max.json', noMax)).path).toBe('/regions/1/maxTripKm/bike');
  });

  it('refuses a service area that crosses itself or reaches past the geo index, naming the region', () => {
    const crossed = withRegion(0, {
      serviceArea: {
        polygon: [bengaluruSquare[0], bengaluruSquare[2], bengaluruSquare[1], bengaluruSquare[3]],
      },
    });
    const crossedError = failure(write('crossed.json', crossed));
    expect(crossedError.path).toBe('/regions/0/serviceArea');
    expect(crossedError.message).toContain('has edges that cross (edges 1 and 3)');

    const nearPole = withRegion(1, { serviceArea: { center: { lat: 84, lng: 0 }, radiusKm: 200 } });
    const nearPoleError = failure(write('near-pole.json', nearPole));
    expect(nearPoleError.path).toBe('/regions/1/serviceArea');
    expect(nearPoleError.message).toContain('reaches beyond latitude ±85.05112878');
  });

  it('refuses a file of the earlier format (bounds and a catch-all region), saying what replaced it', () => {
    const legacy = {
      regions: [
        {
          id: 'bengaluru',
          name: 'Bengaluru',
          currency: 'INR',
          bounds: { minLat: 12.7, maxLat: 13.2, minLng: 77.3, maxLng: 77.9 },
          rates: rates(2500),
        },
        { id: 'india', name: 'India', currency: 'INR', rates: rates(2000) },
      ],
    };
    const error = failure(write('legacy.json', legacy));
    expect(error.path).toBe('/regions/0/bounds');
    expect(error.message).toContain('is no longer read: give every region a serviceArea instead');
  });

  it('rejects repeated region ids', () => {
    const repeated = withRegion(1, { id: 'bengaluru' });
    expect(failure(write('repeated.json', repeated)).path).toBe('/regions/1/id');
  });

  it('reports an unreadable file and invalid JSON at the root path', () => {
    const absent = path.join(dir, 'absent.json');
    const missingError = failure(absent);
    expect(missingError.path).toBe('/');
    expect(missingError.message).toContain(absent);
    expect(missingError.message).toContain('cannot be read');

    const garbled = failure(write('garbled.json', '{ "regions": ['));
    expect(garbled.path).toBe('/');
    expect(garbled.message).toContain('is not valid JSON');
  });
});
