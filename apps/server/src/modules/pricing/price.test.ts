import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computePrice, type PriceInput } from './price';
import { DEFAULT_REGION, type VehicleRates } from './pricing-catalog';

const rates: fc.Arbitrary<VehicleRates> = fc.record({
  baseFare: fc.integer({ min: 0, max: 1_000_000 }),
  perKm: fc.integer({ min: 0, max: 100_000 }),
  perMinute: fc.integer({ min: 0, max: 10_000 }),
  minimumFare: fc.integer({ min: 0, max: 5_000_000 }),
});
const distance = fc.double({ min: 0, max: 3000, noNaN: true });
const duration = fc.double({ min: 0, max: 6000, noNaN: true });
const surge = fc.double({ min: 1, max: 10, noNaN: true });

function price(input: Omit<PriceInput, 'currency' | 'regionId'>): number {
  return computePrice({ ...input, currency: 'INR', regionId: 'default' }).price.amount;
}

describe('computePrice', () => {
  it('prices a van trip as base + distance + time, then surge on that subtotal', () => {
    const result = computePrice({
      rates: DEFAULT_REGION.rates.van,
      distanceKm: 12.35,
      durationMinutes: 37,
      surgeMultiplier: 1.2,
      currency: 'INR',
      regionId: 'default',
    });
    expect(result).toEqual({
      price: { amount: 62520, currency: 'INR' },
      breakdown: {
        baseFare: 20000,
        distanceFare: 24700,
        timeFare: 7400,
        surgeAmount: 10420,
        minimumFareTopUp: 0,
        currency: 'INR',
        region: 'default',
      },
    });
  });

  it('tops a short trip up to the minimum fare, surge included before the top-up', () => {
    const bike = DEFAULT_REGION.rates.bike;
    const calm = computePrice({
      rates: bike,
      distanceKm: 0.5,
      durationMinutes: 1.2,
      surgeMultiplier: 1,
      currency: 'INR',
      regionId: 'default',
    });
    expect(calm.price.amount).toBe(4000);
    expect(calm.breakdown).toMatchObject({
      baseFare: 3000,
      distanceFare: 400,
      timeFare: 120,
      surgeAmount: 0,
      minimumFareTopUp: 480,
    });

    const surged = computePrice({
      rates: bike,
      distanceKm: 0.5,
      durationMinutes: 1.2,
      surgeMultiplier: 1.1,
      currency: 'INR',
      regionId: 'default',
    });
    expect(surged.price.amount).toBe(4000);
    expect(surged.breakdown).toMatchObject({ surgeAmount: 352, minimumFareTopUp: 128 });
  });

  it('rounds each fractional part half up to a whole minor unit', () => {
    const result = computePrice({
      rates: { baseFare: 0, perKm: 1, perMinute: 3, minimumFare: 0 },
      distanceKm: 2.5,
      durationMinutes: 0.5,
      surgeMultiplier: 1,
      currency: 'USD',
      regionId: 'us',
    });
    expect(result.breakdown).toMatchObject({ distanceFare: 3, timeFare: 2 });
    expect(result.price).toEqual({ amount: 5, currency: 'USD' });
  });

  it('refuses a surge below 1 and negative or non-finite distances and durations', () => {
    const base = { rates: DEFAULT_REGION.rates.van, currency: 'INR', regionId: 'default' };
    expect(() => computePrice({ ...base, distanceKm: 1, durationMinutes: 1, surgeMultiplier: 0.9 })).toThrow(
      RangeError,
    );
    expect(() => computePrice({ ...base, distanceKm: -1, durationMinutes: 1, surgeMultiplier: 1 })).toThrow(
      RangeError,
    );
    expect(() =>
      computePrice({ ...base, distanceKm: 1, durationMinutes: Number.NaN, surgeMultiplier: 1 }),
    ).toThrow(RangeError);
    expect(() =>
      computePrice({ ...base, distanceKm: Infinity, durationMinutes: 1, surgeMultiplier: 1 }),
    ).toThrow(RangeError);
  });

  it('is non-decreasing in distance', () => {
    fc.assert(
      fc.property(rates, distance, distance, duration, surge, (r, a, b, minutes, m) => {
        const [near, far] = a <= b ? [a, b] : [b, a];
        expect(
          price({ rates: r, distanceKm: near, durationMinutes: minutes, surgeMultiplier: m }),
        ).toBeLessThanOrEqual(
          price({ rates: r, distanceKm: far, durationMinutes: minutes, surgeMultiplier: m }),
        );
      }),
    );
  });

  it('is non-decreasing in duration', () => {
    fc.assert(
      fc.property(rates, distance, duration, duration, surge, (r, km, a, b, m) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(
          price({ rates: r, distanceKm: km, durationMinutes: short, surgeMultiplier: m }),
        ).toBeLessThanOrEqual(price({ rates: r, distanceKm: km, durationMinutes: long, surgeMultiplier: m }));
      }),
    );
  });

  it('is non-decreasing in surge', () => {
    fc.assert(
      fc.property(rates, distance, duration, surge, surge, (r, km, minutes, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(
          price({ rates: r, distanceKm: km, durationMinutes: minutes, surgeMultiplier: low }),
        ).toBeLessThanOrEqual(
          price({ rates: r, distanceKm: km, durationMinutes: minutes, surgeMultiplier: high }),
        );
      }),
    );
  });

  it('is an integer never below the minimum fare, and its breakdown adds up to it', () => {
    fc.assert(
      fc.property(rates, distance, duration, surge, (r, km, minutes, m) => {
        const { price: money, breakdown } = computePrice({
          rates: r,
          distanceKm: km,
          durationMinutes: minutes,
          surgeMultiplier: m,
          currency: 'INR',
          regionId: 'default',
        });
        expect(Number.isSafeInteger(money.amount)).toBe(true);
        expect(money.amount).toBeGreaterThanOrEqual(r.minimumFare);
        const parts = [
          breakdown.baseFare,
          breakdown.distanceFare,
          breakdown.timeFare,
          breakdown.surgeAmount,
          breakdown.minimumFareTopUp,
        ];
        expect(parts.every((part) => Number.isSafeInteger(part) && part >= 0)).toBe(true);
        expect(parts.reduce((sum, part) => sum + part, 0)).toBe(money.amount);
      }),
    );
  });
});
