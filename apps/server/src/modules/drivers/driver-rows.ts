import type { BookingStatusColumn } from '../../platform/db/schema';
import type { BookingForTrip, DriverTripRow } from './driver-trips.repository';
import { coordinates, TRIP_ROUTE } from './drivers.presenter';
import type { DriverRow, StoredPosition, VehicleRow } from './drivers.repository';

/**
 * The rows a driver is written as (profile, vehicle, trip history), built in
 * one place for every path that writes them, so generated drivers cannot
 * drift from real ones.
 */

export interface NewDriver {
  userId: string;
  vehicleId: string;
  suspended: boolean;
  createdAt: number;
  /** The last known position: none at signup; a generated driver was last seen at it. */
  lastSeen: StoredPosition | null;
}

/** A driver's profile: offline, holding no trip, not rated yet; last changed when last seen. */
export function driverRow(driver: NewDriver): DriverRow {
  const { lastSeen } = driver;
  return {
    user_id: driver.userId,
    vehicle_id: driver.vehicleId,
    online: 0,
    suspended: driver.suspended ? 1 : 0,
    last_lat: lastSeen === null ? null : lastSeen.lat,
    last_lng: lastSeen === null ? null : lastSeen.lng,
    last_heading: lastSeen === null ? null : lastSeen.heading,
    last_seen_at: lastSeen === null ? null : lastSeen.at,
    active_booking_id: null,
    rating_sum: 0,
    rating_count: 0,
    created_at: driver.createdAt,
    updated_at: lastSeen === null ? driver.createdAt : lastSeen.at,
  };
}

export interface NewVehicle {
  id: string;
  driverId: string;
  type: VehicleRow['type'];
  /** Normalized (`normalizePlate`): the directory is keyed by it. */
  plate: string;
  capacityKg: number;
  createdAt: number;
}

export function vehicleRow(vehicle: NewVehicle): VehicleRow {
  return {
    id: vehicle.id,
    driver_id: vehicle.driverId,
    type: vehicle.type,
    plate: vehicle.plate,
    capacity_kg: vehicle.capacityKg,
    created_at: vehicle.createdAt,
  };
}

/** Where a driver's trip stands: the booking's status and `seq` last applied to it. */
export interface DriverTripState {
  status: BookingStatusColumn;
  /** When this driver took the booking. */
  assignedAt: number;
  /** When the driver stopped holding it (delivered, cancelled, released), if they have. */
  completedAt: number | null;
  seq: number;
  updatedAt: number;
}

/** A driver's history row of a booking: the booking's trip and price as the driver took it. */
export function driverTripRow(
  booking: BookingForTrip,
  driverId: string,
  state: DriverTripState,
): DriverTripRow {
  return {
    driver_id: driverId,
    booking_id: booking.id,
    booking_ref: booking.ref,
    status: state.status,
    vehicle_type: booking.vehicle_type,
    route: TRIP_ROUTE.write({
      pickup: coordinates(booking.pickup_lat, booking.pickup_lng, booking.pickup_address),
      dropoff: coordinates(booking.dropoff_lat, booking.dropoff_lng, booking.dropoff_address),
    }),
    price_amount: booking.price_amount,
    currency: booking.currency,
    distance_km: booking.distance_km,
    assigned_at: state.assignedAt,
    completed_at: state.completedAt,
    updated_at: state.updatedAt,
    seq: state.seq,
  };
}
