import type { VehicleType } from '@loadline/contracts';

/**
 * The GeoIndex set of the drivers who may be offered a booking now, per vehicle
 * type: kept by driver presence (a copy rebuildable from SQL), read by
 * dispatch and surge.
 */
export function availableDriversSet(type: VehicleType): string {
  return `drivers:available:${type}`;
}
