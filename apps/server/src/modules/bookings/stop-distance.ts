import { haversineKm } from '@loadline/contracts';
import { AppError } from '../../lib/errors';

interface Point {
  lat: number;
  lng: number;
}

const messages = {
  tooFar: (distanceM: number | null, maxDistanceM: number) =>
    distanceM === null
      ? `Your position is not known; share your location and try again within ${maxDistanceM} m of the stop.`
      : `You are ${distanceM} m from this stop; come within ${maxDistanceM} m.`,
} as const;

/**
 * Refuses a handover made away from its stop: 422 too_far_from_stop with
 * `{ distanceM, maxDistanceM }` when the driver's last known position is
 * farther than `maxDistanceM` from `stop`, or unknown (`distanceM` null).
 * The position is what the driver's app last reported, so a phone that stops
 * reporting cannot hand over anywhere. Returns that position (for the proof).
 */
export function assertNearStop(driverAt: Point | null, stop: Point, maxDistanceM: number): Point {
  const distanceM = driverAt === null ? null : Math.round(haversineKm(driverAt, stop) * 1000);
  if (driverAt === null || distanceM === null || distanceM > maxDistanceM) {
    throw new AppError(422, 'too_far_from_stop', messages.tooFar(distanceM, maxDistanceM), {
      details: { distanceM, maxDistanceM },
    });
  }
  return { lat: driverAt.lat, lng: driverAt.lng };
}
