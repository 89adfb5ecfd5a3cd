import type {
  Booking,
  BookingEvent,
  BookingStop,
  Goods,
  QuoteStop,
  StopFailure,
  StopProof,
} from '@loadline/contracts';
import { fallbackBookingRef, STOP_FAILURE_REASONS } from '@loadline/contracts';
import type { BookingStopRow } from './booking-stops.repository';
import type { BookingEventRow, BookingRow } from './bookings.repository';

function point(lat: number, lng: number, address: string | null) {
  return address === null ? { lat, lng } : { lat, lng, address };
}

function goodsOf(description: string | null, weightKg: number | null): Goods | null {
  return description === null || weightKg === null ? null : { description, weightKg };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Where an upload is served: a proof names its files by these URLs. */
export function uploadUrl(uploadId: string): string {
  return `/v1/uploads/${uploadId}`;
}

/** What the driver left at a stop it completed; null until then. */
function presentProof(stop: BookingStopRow): StopProof | null {
  if (stop.status !== 'delivered' || stop.completed_at === null) {
    return null;
  }
  return {
    recipientName: stop.proof_recipient_name,
    photoUrl: stop.proof_photo_id === null ? null : uploadUrl(stop.proof_photo_id),
    signatureUrl: stop.proof_signature_id === null ? null : uploadUrl(stop.proof_signature_id),
    at: iso(stop.completed_at),
    location:
      stop.proof_lat === null || stop.proof_lng === null
        ? null
        : { lat: stop.proof_lat, lng: stop.proof_lng },
  };
}

/** A failed attempt; the reason was checked against the contract's codes when it was recorded. */
function presentFailure(stop: BookingStopRow): StopFailure {
  const reason = STOP_FAILURE_REASONS.find((known) => known === stop.failure_reason) ?? 'other';
  return {
    reason,
    note: stop.failure_note,
    photoUrl: stop.failure_photo_id === null ? null : uploadUrl(stop.failure_photo_id),
  };
}

function presentStop(stop: BookingStopRow): BookingStop {
  return {
    seq: stop.seq,
    location: point(stop.lat, stop.lng, stop.address),
    recipient:
      stop.recipient_name === null
        ? null
        : stop.recipient_phone === null
          ? { name: stop.recipient_name }
          : { name: stop.recipient_name, phone: stop.recipient_phone },
    goods: goodsOf(stop.goods_description, stop.goods_weight_kg),
    status: stop.status,
    arrivedAt: stop.arrived_at === null ? null : iso(stop.arrived_at),
    completedAt: stop.completed_at === null ? null : iso(stop.completed_at),
    proof: presentProof(stop),
    ...(stop.status === 'failed' ? { failure: presentFailure(stop) } : {}),
  };
}

/**
 * The one stop a booking made before stops were stored stands for: its
 * drop-off, with its goods. Shown as such, and stored when the driver works it.
 */
export function legacyStopOf(row: BookingRow): QuoteStop {
  return {
    seq: 1,
    location: point(row.dropoff_lat, row.dropoff_lng, row.dropoff_address),
    recipient: null,
    goods: goodsOf(row.goods_description, row.goods_weight_kg),
  };
}

/** The legacy stop as it is shown: delivered with the booking. */
function legacyStop(row: BookingRow): BookingStop {
  const deliveredAt = row.status === 'delivered' ? row.delivered_at : null;
  return {
    ...legacyStopOf(row),
    status: deliveredAt === null ? 'pending' : 'delivered',
    arrivedAt: null,
    completedAt: deliveredAt === null ? null : iso(deliveredAt),
    proof: null,
  };
}

/**
 * A booking with its stops, as every bookings route answers it. `stops` are the
 * booking's stored stops; a booking made before they were stored has none and
 * is shown one stop made from its drop-off.
 */
export function presentBookingWithStops(row: BookingRow, stops: readonly BookingStopRow[]): Booking {
  return {
    ...presentBooking(row),
    stops: stops.length === 0 ? [legacyStop(row)] : stops.map(presentStop),
  };
}

/**
 * A booking without its stops (optional in the contract): for answers built
 * where the stops were not read, such as dispatch's.
 */
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
    goods: goodsOf(row.goods_description, row.goods_weight_kg),
    handoverPins: row.handover_pins === 1,
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
    ...(row.type === null ? {} : { type: row.type }),
    ...(row.stop_seq === null ? {} : { stopSeq: row.stop_seq }),
  };
}
