import type { Coordinates, Goods, Money, VehicleType } from '@loadline/contracts';
import type { BookingActor } from '../events/booking-events';
import type { BookingEventRow, BookingRow } from './bookings.repository';

/**
 * The rows a booking is written as, built in one place for every path that
 * writes them: a customer's request (BookingsService) and bulk generation,
 * so that generated bookings cannot drift from real ones.
 */

/** The trip and its price: from a quote or an estimate, or drawn by generation. */
export interface BookingTerms {
  quoteId: string | null;
  vehicleType: VehicleType;
  pickup: Coordinates;
  dropoff: Coordinates;
  distanceKm: number;
  durationMinutes: number;
  price: Money;
  surgeMultiplier: number;
}

export interface NewBooking {
  id: string;
  /** Its short reference: minted by `randomRef` (live) or `generatedRef` (generation). */
  ref: string;
  customerId: string;
  terms: BookingTerms;
  goods: Goods | null;
  /** When the search is due to start for a booking made ahead; null otherwise. */
  scheduledAt: number | null;
  /** `scheduled` until its search starts, else `searching` from the start. */
  status: 'searching' | 'scheduled';
  createdAt: number;
}

/**
 * A booking as it is placed: seq 1 (its creation event), no driver, no dispatch
 * wave yet, searching from `createdAt` unless it is scheduled.
 */
export function newBookingRow(booking: NewBooking): BookingRow {
  const { terms, goods, createdAt } = booking;
  return {
    id: booking.id,
    ref: booking.ref,
    customer_id: booking.customerId,
    driver_id: null,
    status: booking.status,
    vehicle_type: terms.vehicleType,
    pickup_lat: terms.pickup.lat,
    pickup_lng: terms.pickup.lng,
    pickup_address: terms.pickup.address ?? null,
    dropoff_lat: terms.dropoff.lat,
    dropoff_lng: terms.dropoff.lng,
    dropoff_address: terms.dropoff.address ?? null,
    goods_description: goods === null ? null : goods.description,
    goods_weight_kg: goods === null ? null : goods.weightKg,
    price_amount: terms.price.amount,
    currency: terms.price.currency,
    distance_km: terms.distanceKm,
    duration_minutes: terms.durationMinutes,
    surge_multiplier: terms.surgeMultiplier,
    quote_id: terms.quoteId,
    scheduled_at: booking.scheduledAt,
    seq: 1,
    offer_wave: 0,
    offered_to: '[]',
    search_started_at: booking.status === 'searching' ? createdAt : null,
    // A search's first wave is due at once (ADR 0018).
    next_step_at: booking.status === 'searching' ? createdAt : null,
    assigned_at: null,
    picked_up_at: null,
    delivered_at: null,
    cancelled_at: null,
    cancel_reason: null,
    rating: null,
    rated_at: null,
    rating_comment: null,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/** The event of a booking's latest change: its current seq and status, by `actor`, at `at`. */
export function bookingEventRow(
  booking: Pick<BookingRow, 'id' | 'seq' | 'status'>,
  actor: BookingActor,
  at: number,
): BookingEventRow {
  return {
    booking_id: booking.id,
    seq: booking.seq,
    status: booking.status,
    actor_role: actor.role,
    actor_id: actor.id,
    at,
  };
}
