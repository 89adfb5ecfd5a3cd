import type { Coordinates } from './common';

/**
 * The earth radius every great-circle distance in Loadline is measured with:
 * the one Redis GEO uses (6372.797560856 km, fixed in Redis itself). In
 * cluster mode Redis finds the drivers near a pickup and in embedded mode the
 * in-memory index does; both must agree on who is inside a radius, and prices
 * are measured the same way, so the server, the simulator and the web app all
 * use Redis's radius rather than the mean radius (6371.0088 km). The two
 * differ by 0.03%, well below GPS error and the road factor's estimate.
 */
export const EARTH_RADIUS_KM = 6372.797560856;

/** Kilometres in one degree of latitude (and of longitude at the equator) on that sphere. */
export const KM_PER_DEGREE_LAT = (EARTH_RADIUS_KM * Math.PI) / 180;

type LatLng = Pick<Coordinates, 'lat' | 'lng'>;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/** Great-circle distance between two points in kilometres (haversine). */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
