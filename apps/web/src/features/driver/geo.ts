import { haversineKm } from '@loadline/contracts';
import type { LatLng } from '../../components/map-view';

/** Great-circle distance in meters, measured as the server measures it (the contracts' haversine). */
export function metersBetween(a: LatLng, b: LatLng): number {
  return haversineKm(a, b) * 1000;
}

/** Compass bearing from `a` to `b` in degrees (0 north, 90 east), on a flat map: fine for short hops. */
export function headingBetween(a: LatLng, b: LatLng): number {
  const deg = (Math.atan2(b.lng - a.lng, b.lat - a.lat) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/** The contract's cap on a reported speed (`LocationUpdate.speedKmh`). */
const MAX_SPEED_KMH = 300;

/** Whole km/h for `metersPerSecond` (the distance one fix a second covers), within the contract's cap. */
export function speedOver(metersPerSecond: number): number {
  return Math.min(MAX_SPEED_KMH, Math.max(0, Math.round(metersPerSecond * 3.6)));
}

export interface GpsFix {
  position: LatLng;
  /** Whole degrees 0..359; undefined when standing still without a goal. */
  heading: number | undefined;
  /** Whole km/h, as one fix a second covering the step implies (the contract caps it at 300). */
  speedKmh: number;
}

/**
 * The next simulated fix, one second after `from`: `stepMeters` straight
 * toward `goal`, landing on it when it is closer than that; standing still
 * without a goal.
 */
export function stepToward(from: LatLng, goal: LatLng | null, stepMeters: number): GpsFix {
  if (goal === null) {
    return { position: from, heading: undefined, speedKmh: 0 };
  }
  const distance = metersBetween(from, goal);
  const heading = Math.round(headingBetween(from, goal)) % 360;
  if (distance <= stepMeters) {
    return { position: { lat: goal.lat, lng: goal.lng }, heading, speedKmh: speedOver(distance) };
  }
  const f = stepMeters / distance;
  return {
    position: { lat: from.lat + (goal.lat - from.lat) * f, lng: from.lng + (goal.lng - from.lng) * f },
    heading,
    speedKmh: speedOver(stepMeters),
  };
}
