import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_REGION } from '../../src/modules/pricing/pricing-catalog';
import { CITY } from './fleet';

/**
 * The pricing file every test environment runs with unless a test sets its
 * own PRICING_FILE ('' for the built-in region). Tests keep their bookings
 * apart by placing them up to 2,000 km from the city centre (`offset(CITY,
 * 2000)`), far beyond the one city the built-in region serves; this region
 * has the built-in id and rates, so prices are the same, over an area that
 * holds all of those places, with no practical trip maximum.
 */
export function testPricingFile(): string {
  const content = JSON.stringify({
    regions: [
      {
        id: DEFAULT_REGION.id,
        name: 'Tests: the built-in rates across India',
        currency: DEFAULT_REGION.currency,
        serviceArea: { center: { lat: CITY.lat, lng: CITY.lng }, radiusKm: 2500 },
        maxTripKm: { bike: 20_000, van: 20_000, mini_truck: 20_000, truck: 20_000 },
        roadFactor: DEFAULT_REGION.roadFactor,
        rates: DEFAULT_REGION.rates,
        speedKmh: DEFAULT_REGION.speedKmh,
      },
    ],
  });
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 12);
  const file = path.join(os.tmpdir(), `loadline-test-pricing-${digest}.json`);
  if (!fs.existsSync(file)) {
    // Test files run in parallel processes: write aside, then rename into place atomically.
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
  }
  return file;
}
