import { Type, type Static } from '@sinclair/typebox';
import { BookingStatusSchema, Id, StopFailureReasonSchema, VehicleTypeSchema } from '@loadline/contracts';
import { Topic } from '../../platform/outbox/outbox';

/**
 * Bookings' and offers' outbox topics, each with the schema of its payload:
 * the published language modules react to each other in (this folder imports
 * no module). Payloads are JSON that has crossed the queue: the relay checks
 * each one against its topic's schema where it enters a consumer.
 */

const ActorRole = Type.Union([
  Type.Literal('customer'),
  Type.Literal('driver'),
  Type.Literal('admin'),
  Type.Literal('system'),
]);
export type ActorRole = Static<typeof ActorRole>;

const BookingActor = Type.Object({ role: ActorRole, id: Type.Union([Type.String(), Type.Null()]) });
export type BookingActor = Static<typeof BookingActor>;

/** Payload of `booking.status_changed`: IDs and facts, no personal data. */
export const BookingStatusChangedPayload = Type.Object({
  bookingId: Id,
  customerId: Id,
  /** The driver on the booking after the change (for a release: the driver who let it go). */
  driverId: Type.Union([Id, Type.Null()]),
  vehicleType: VehicleTypeSchema,
  from: Type.Union([BookingStatusSchema, Type.Null()]),
  to: BookingStatusSchema,
  seq: Type.Integer({ minimum: 1 }),
  /** Epoch milliseconds. */
  at: Type.Number(),
  actor: BookingActor,
});
export type BookingStatusChanged = Static<typeof BookingStatusChangedPayload>;

/** Every booking status change, creation included (`from` is null then). */
export const BOOKING_STATUS_CHANGED = new Topic('booking.status_changed', BookingStatusChangedPayload);

/** Payload of `booking.stop_changed`: a stop arrived at, delivered or failed; IDs and facts, no personal data. */
export const BookingStopChangedPayload = Type.Object({
  bookingId: Id,
  customerId: Id,
  driverId: Id,
  /** The booking's seq of this event (the stop event's own). */
  seq: Type.Integer({ minimum: 1 }),
  stopSeq: Type.Integer({ minimum: 1 }),
  change: Type.Union([Type.Literal('arrived'), Type.Literal('completed'), Type.Literal('failed')]),
  /** For a failed stop: the contract's reason code. */
  reason: Type.Union([StopFailureReasonSchema, Type.Null()]),
  /** Epoch milliseconds. */
  at: Type.Number(),
});
export type BookingStopChanged = Static<typeof BookingStopChangedPayload>;

/** A stop's progress on a multi-stop booking (ADR 0027), in the booking's seq order with its status changes. */
export const BOOKING_STOP_CHANGED = new Topic('booking.stop_changed', BookingStopChangedPayload);

export const BookingRatedPayload = Type.Object({
  bookingId: Id,
  driverId: Id,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  /** Epoch milliseconds of the rating; the trip's own day is `deliveredAt`. */
  at: Type.Number(),
  deliveredAt: Type.Number(),
});
export type BookingRated = Static<typeof BookingRatedPayload>;

/** A customer's rating of a delivered trip. */
export const BOOKING_RATED = new Topic('booking.rated', BookingRatedPayload);

export const OfferCreatedPayload = Type.Object({ driverId: Id, bookingId: Id });
export type OfferCreated = Static<typeof OfferCreatedPayload>;

export const OfferRevokedPayload = Type.Object({
  driverId: Id,
  bookingId: Id,
  reason: Type.Union([Type.Literal('taken'), Type.Literal('cancelled'), Type.Literal('expired')]),
});
export type OfferRevoked = Static<typeof OfferRevokedPayload>;

/** Offers, written on the driver's shard. */
export const OFFER_CREATED = new Topic('offer.created', OfferCreatedPayload);
export const OFFER_REVOKED = new Topic('offer.revoked', OfferRevokedPayload);
