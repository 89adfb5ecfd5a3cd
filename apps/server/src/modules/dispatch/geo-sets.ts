import type { VehicleType } from '@loadline/contracts';

/**
 * Names of the GeoIndex sets that matching and surge share. Membership is kept
 * by the drivers module (available drivers) and the bookings module (bookings
 * searching for a driver); both are copies rebuildable from SQL.
 */
export function availableDriversSet(type: VehicleType): string {
  return `drivers:available:${type}`;
}

export function searchingBookingsSet(type: VehicleType): string {
  return `bookings:searching:${type}`;
}
