import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config';
import {
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

const validFile = {
  regions: [
    {
      id: 'bengaluru',
      name: 'Bengaluru',
      currency: 'INR',
      bounds: { minLat: 12.7, maxLat: 13.2, minLng: 77.3, maxLng: 77.9 },
      roadFactor: 1.4,
      rates: rates(2500),
      speedKmh: { bike: 22, van: 18, mini_truck: 16, truck: 12 },
    },
    {
      id: 'karnataka',
      name: 'Karnataka (rest)',
      currency: 'INR',
      bounds: { minLat: 11.5, maxLat: 18.5, minLng: 74, maxLng: 78.6 },
      rates: rates(2000),
    },
    { id: 'us', name: 'United States', currency: 'USD', rates: rates(500) },
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

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-pricing-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without a file, prices everywhere with the built-in INR region', () => {
    const catalog = loadPricingCatalog(null);
    expect(catalog.regions).toEqual([DEFAULT_REGION]);
    expect(catalog.regionFor({ lat: 12.9716, lng: 77.5946 })).toBe(DEFAULT_REGION);
    expect(catalog.regionFor({ lat: -33.86, lng: 151.2 })).toBe(DEFAULT_REGION);
    expect(DEFAULT_REGION.currency).toBe('INR');
    expect(DEFAULT_REGION.rates.bike.baseFare).toBe(3000);
    expect(DEFAULT_REGION.rates.truck.baseFare).toBe(150000);
  });

  it('loads a valid file, filling in the default road factor and speeds', () => {
    const catalog = loadPricingCatalog(write('valid.json', validFile));
    expect(catalog.regions.map((region) => region.id)).toEqual(['bengaluru', 'karnataka', 'us']);
    expect(catalog.defaultRegion.id).toBe('us');
    const [bengaluru, karnataka] = catalog.regions;
    expect(bengaluru).toMatchObject({
      roadFactor: 1.4,
      speedKmh: { bike: 22, van: 18, mini_truck: 16, truck: 12 },
    });
    expect(karnataka).toMatchObject({ roadFactor: DEFAULT_ROAD_FACTOR, speedKmh: DEFAULT_SPEED_KMH });
    expect(catalog.defaultRegion).toMatchObject({ bounds: null, currency: 'USD', rates: rates(500) });
  });

  it('picks the first region whose bounds contain the pickup, else the default', () => {
    const catalog = loadPricingCatalog(write('select.json', validFile));
    // Inside both boxes: the first listed wins.
    expect(catalog.regionFor({ lat: 12.9716, lng: 77.5946 }).id).toBe('bengaluru');
    expect(catalog.regionFor({ lat: 15.3647, lng: 75.124 }).id).toBe('karnataka');
    // Bounds are inclusive.
    expect(catalog.regionFor({ lat: 13.2, lng: 77.9 }).id).toBe('bengaluru');
    expect(catalog.regionFor({ lat: 40.7128, lng: -74.006 }).id).toBe('us');
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

  it('rejects inverted bounds, repeated ids, and anything but exactly one region without bounds', () => {
    const inverted = structuredClone(validFile);
    Object.assign(inverted.regions[1]?.bounds ?? {}, { minLat: 19 });
    const invertedError = failure(write('inverted.json', inverted));
    expect(invertedError.path).toBe('/regions/1/bounds');
    expect(invertedError.message).toContain('minLat greater than maxLat');

    const repeated = structuredClone(validFile);
    Object.assign(repeated.regions[1] ?? {}, { id: 'bengaluru' });
    expect(failure(write('repeated.json', repeated)).path).toBe('/regions/1/id');

    const noDefault = { regions: validFile.regions.slice(0, 2) };
    const noDefaultError = failure(write('no-default.json', noDefault));
    expect(noDefaultError.path).toBe('/regions');
    expect(noDefaultError.message).toContain('exactly one region without bounds');

    const twoDefaults = {
      regions: [...validFile.regions, { ...validFile.regions[2], id: 'eu', currency: 'EUR' }],
    };
    expect(failure(write('two-defaults.json', twoDefaults)).path).toBe('/regions');
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
