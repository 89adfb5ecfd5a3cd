import type { Booking, BookingEvent } from '@loadline/contracts';
import { fallbackBookingRef } from '@loadline/contracts';
import type { BookingEventRow, BookingRow } from './bookings.repository';

function point(lat: number, lng: number, address: string | null) {
  return address === null ? { lat, lng } : { lat, lng, address };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function presentBooking(row: BookingRow): Booking {
  return {
    id: row.id,
    // Rows older than references show one derived from the ID.
    ref: row.ref ?? fallbackBookingRef(row.id),
    status: row.status,
    customerId: row.customer_id,
    driverId: row.driver_id,
    vehicleType: row.vehicle_type,
    pickup: point(row.pickup_lat, row.pickup_lng, row.pickup_address),
    dropoff: point(row.dropoff_lat, row.dropoff_lng, row.dropoff_address),
    goods:
      row.goods_description === null || row.goods_weight_kg === null
        ? null
        : { description: row.goods_description, weightKg: row.goods_weight_kg },
    price: { amount: row.price_amount, currency: row.currency },
    distanceKm: row.distance_km,
    durationMinutes: row.duration_minutes,
    surgeMultiplier: row.surge_multiplier,
    scheduledAt: row.scheduled_at === null ? null : iso(row.scheduled_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    seq: row.seq,
    rating: row.rating,
  };
}

export function presentEvent(row: BookingEventRow): BookingEvent {
  return {
    seq: row.seq,
    status: row.status,
    at: iso(row.at),
    actor: { role: row.actor_role, id: row.actor_id },
  };
}
