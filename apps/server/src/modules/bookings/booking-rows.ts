import type { Coordinates, Goods, Money, QuoteStop, VehicleType } from '@loadline/contracts';
import type { BookingActor } from '../events/booking-events';
import type { BookingStopRow } from './booking-stops.repository';
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
  /** Whether each handover needs its PIN (ADR 0028). */
  handoverPins: boolean;
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
    handover_pins: booking.handoverPins ? 1 : 0,
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
    type: null,
    stop_seq: null,
  };
}

/** How long a booking's goods description may be (the contract's `Goods.description`). */
const GOODS_DESCRIPTION_MAX = 500;

/**
 * The goods of a booking with stops, as one load: every stop's descriptions
 * joined (cut to the contract's length) and weights added. Dispatch matches a
 * vehicle's capacity to this total, so it must be the whole load. Null when no
 * stop names goods.
 */
export function combinedGoods(stops: readonly QuoteStop[]): Goods | null {
  const goods = stops.flatMap((stop) => (stop.goods === null ? [] : [stop.goods]));
  if (goods.length === 0) {
    return null;
  }
  const description = goods.map((item) => item.description).join('; ');
  return {
    description:
      description.length > GOODS_DESCRIPTION_MAX
        ? `${description.slice(0, GOODS_DESCRIPTION_MAX - 1)}…`
        : description,
    weightKg: goods.reduce((sum, item) => sum + item.weightKg, 0),
  };
}

/** A new booking's stops as they are stored: pending, in order, nothing done yet. */
export function newStopRows(bookingId: string, stops: readonly QuoteStop[]): BookingStopRow[] {
  return stops.map((stop) => ({
    booking_id: bookingId,
    seq: stop.seq,
    lat: stop.location.lat,
    lng: stop.location.lng,
    address: stop.location.address ?? null,
    recipient_name: stop.recipient?.name ?? null,
    recipient_phone: stop.recipient?.phone ?? null,
    goods_description: stop.goods?.description ?? null,
    goods_weight_kg: stop.goods?.weightKg ?? null,
    status: 'pending',
    arrived_at: null,
    completed_at: null,
    proof_recipient_name: null,
    proof_photo_id: null,
    proof_signature_id: null,
    proof_lat: null,
    proof_lng: null,
    failure_reason: null,
    failure_note: null,
    failure_photo_id: null,
  }));
}
