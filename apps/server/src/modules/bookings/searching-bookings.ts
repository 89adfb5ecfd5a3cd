import type { VehicleType } from '@loadline/contracts';

/**
 * The GeoIndex set of the bookings searching for a driver, per vehicle type:
 * kept by the dispatch lifecycle (a copy rebuildable from SQL), read by surge.
 */
export function searchingBookingsSet(type: VehicleType): string {
  return `bookings:searching:${type}`;
}
