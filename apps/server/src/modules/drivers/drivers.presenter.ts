import { Type, type Static } from '@sinclair/typebox';
import {
  Coordinates,
  fallbackBookingRef,
  type AdminDriver,
  type AdminVehicle,
  type DriverTrip,
} from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import type { LiveLocation } from './driver-presence';
import type { DriverTripRow } from './driver-trips.repository';
import type { AdminDriverRow, AdminVehicleRow } from './drivers.repository';

const iso = (ms: number): string => new Date(ms).toISOString();

/** `driver_jobs.route`: pickup and dropoff as the contract's coordinates. */
export const TRIP_ROUTE = new StoredJson(
  'driver_jobs.route',
  Type.Object({ pickup: Coordinates, dropoff: Coordinates }),
);
export type TripRoute = Static<typeof TRIP_ROUTE.schema>;

export function coordinates(lat: number, lng: number, address: string | null): Static<typeof Coordinates> {
  return address === null ? { lat, lng } : { lat, lng, address };
}

export function presentDriverTrip(row: DriverTripRow): DriverTrip {
  const route = TRIP_ROUTE.read(row.route);
  return {
    bookingId: row.booking_id,
    bookingRef: row.booking_ref ?? fallbackBookingRef(row.booking_id),
    status: row.status,
    vehicleType: row.vehicle_type,
    pickup: route.pickup,
    dropoff: route.dropoff,
    price: { amount: row.price_amount, currency: row.currency },
    distanceKm: row.distance_km,
    assignedAt: iso(row.assigned_at),
    completedAt: row.completed_at === null ? null : iso(row.completed_at),
  };
}

/** A driver as the admin lists show it, at the position SQL last stored (see `withLivePosition`). */
export function presentAdminDriver(row: AdminDriverRow): AdminDriver {
  const lastLocation: AdminDriver['lastLocation'] =
    row.last_lat !== null && row.last_lng !== null && row.last_seen_at !== null
      ? { lat: row.last_lat, lng: row.last_lng, at: iso(row.last_seen_at) }
      : null;
  return {
    id: row.user_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    vehicle: { id: row.vehicle_id, type: row.vehicle_type, plate: row.plate, capacityKg: row.capacity_kg },
    online: row.online === 1,
    suspended: row.suspended === 1,
    busy: row.active_booking_id !== null,
    ...(row.active_booking_id === null ? {} : { activeBookingId: row.active_booking_id }),
    lastLocation,
    createdAt: iso(row.created_at),
  };
}

/** `live` is the cached position when there is one; it is fresher than SQL's last flush. */
export function withLivePosition(driver: AdminDriver, live: LiveLocation | null): AdminDriver {
  return live === null
    ? driver
    : { ...driver, lastLocation: { lat: live.lat, lng: live.lng, at: iso(live.at) } };
}

export function presentAdminVehicle(row: AdminVehicleRow): AdminVehicle {
  return {
    id: row.id,
    driverId: row.driver_id,
    driverName: row.driver_name,
    type: row.type,
    plate: row.plate,
    capacityKg: row.capacity_kg,
    createdAt: iso(row.created_at),
  };
}
