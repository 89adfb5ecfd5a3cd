import type { BookingStatus, Coordinates, VehicleType } from '@loadline/contracts';
import type { BookingRow } from './bookings.repository';

/** Until the goods are collected the driver heads for the pickup, then for the drop-off. */
const TOWARD_PICKUP: readonly BookingStatus[] = [
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
];

type Route = Pick<BookingRow, 'status' | 'pickup_lat' | 'pickup_lng' | 'dropoff_lat' | 'dropoff_lng'>;

/** Where the driver of an active trip is heading next. */
export function nextHandover(booking: Route): Coordinates {
  return TOWARD_PICKUP.includes(booking.status)
    ? { lat: booking.pickup_lat, lng: booking.pickup_lng }
    : { lat: booking.dropoff_lat, lng: booking.dropoff_lng };
}

/** Pricing's travel-time model (routing service, or distance and a speed per vehicle type). */
export interface TravelTimes {
  travelMinutes(vehicleType: VehicleType, from: Coordinates, to: Coordinates): number;
}

/** Minutes from `from` to `to` for this vehicle type, to a tenth of a minute. */
export function etaMinutes(
  times: TravelTimes,
  vehicleType: VehicleType,
  from: Coordinates,
  to: Coordinates,
): number {
  return Math.round(times.travelMinutes(vehicleType, from, to) * 10) / 10;
}
