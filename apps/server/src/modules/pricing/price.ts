import type { Money, PriceBreakdown } from '@loadline/contracts';
import type { VehicleRates } from './pricing-catalog';

export interface PriceInput {
  rates: VehicleRates;
  distanceKm: number;
  durationMinutes: number;
  /** 1 or more. */
  surgeMultiplier: number;
  currency: string;
  regionId: string;
}

export interface PriceResult {
  price: Money;
  breakdown: PriceBreakdown;
}

/**
 * The fare, in integer minor units:
 *
 *   subtotal = baseFare + round(perKm × distanceKm) + round(perMinute × durationMinutes)
 *   surgeAmount = round(subtotal × (surgeMultiplier − 1))
 *   amount = max(minimumFare, subtotal + surgeAmount)
 *
 * Each fractional part is rounded once, half up (Math.round), to a whole minor
 * unit, so the breakdown's parts add up to the amount exactly. Surge applies
 * before the minimum, so a surged short trip pays at least the minimum and
 * never surge on top of a top-up. Every step is non-decreasing in distance,
 * duration and surge.
 */
export function computePrice(input: PriceInput): PriceResult {
  const { rates, distanceKm, durationMinutes, surgeMultiplier } = input;
  if (!Number.isFinite(distanceKm) || distanceKm < 0) {
    throw new RangeError(`distanceKm must be a non-negative number, got ${distanceKm}`);
  }
  if (!Number.isFinite(durationMinutes) || durationMinutes < 0) {
    throw new RangeError(`durationMinutes must be a non-negative number, got ${durationMinutes}`);
  }
  if (!Number.isFinite(surgeMultiplier) || surgeMultiplier < 1) {
    throw new RangeError(`surgeMultiplier must be at least 1, got ${surgeMultiplier}`);
  }
  const baseFare = rates.baseFare;
  const distanceFare = Math.round(rates.perKm * distanceKm);
  const timeFare = Math.round(rates.perMinute * durationMinutes);
  const subtotal = baseFare + distanceFare + timeFare;
  const surgeAmount = Math.round(subtotal * (surgeMultiplier - 1));
  const minimumFareTopUp = Math.max(0, rates.minimumFare - (subtotal + surgeAmount));
  return {
    price: { amount: subtotal + surgeAmount + minimumFareTopUp, currency: input.currency },
    breakdown: {
      baseFare,
      distanceFare,
      timeFare,
      surgeAmount,
      minimumFareTopUp,
      currency: input.currency,
      region: input.regionId,
    },
  };
}
