import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { BookingStatusSchema, Id, VehicleTypeSchema } from '@loadline/contracts';

/**
 * The booking module's outbox events: each topic with the schema of its
 * payload. Payloads are JSON that has crossed the queue, so every consumer
 * reads them through `payloadOf`, which checks them once where they enter.
 */

/** Outbox topic of every booking status change, creation included (`from` is null then). */
export const BOOKING_STATUS_CHANGED = 'booking.status_changed';

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

/** Outbox topic of a customer's rating of a delivered trip. */
export const BOOKING_RATED = 'booking.rated';

export const BookingRatedPayload = Type.Object({
  bookingId: Id,
  driverId: Id,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  /** Epoch milliseconds of the rating; the trip's own day is `deliveredAt`. */
  at: Type.Number(),
  deliveredAt: Type.Number(),
});
export type BookingRated = Static<typeof BookingRatedPayload>;

/** Outbox topics of offers, written on the driver's shard. */
export const OFFER_CREATED = 'offer.created';
export const OFFER_REVOKED = 'offer.revoked';

export const OfferCreatedPayload = Type.Object({ driverId: Id, bookingId: Id });
export type OfferCreated = Static<typeof OfferCreatedPayload>;

export const OfferRevokedPayload = Type.Object({
  driverId: Id,
  bookingId: Id,
  reason: Type.Union([Type.Literal('taken'), Type.Literal('cancelled'), Type.Literal('expired')]),
});
export type OfferRevoked = Static<typeof OfferRevokedPayload>;

/** Each topic's payload check, compiled once per process. */
export const eventChecks = {
  statusChanged: TypeCompiler.Compile(BookingStatusChangedPayload),
  rated: TypeCompiler.Compile(BookingRatedPayload),
  offerCreated: TypeCompiler.Compile(OfferCreatedPayload),
  offerRevoked: TypeCompiler.Compile(OfferRevokedPayload),
} as const;

/** The payload of an event if it matches its topic's schema, else null (the consumer logs and skips it). */
export function readPayload<S extends TSchema>(check: TypeCheck<S>, payload: unknown): Static<S> | null {
  return check.Check(payload) ? payload : null;
}

/** The payload of an event, checked against its topic's schema; a mismatch fails the consumer loudly. */
export function payloadOf<S extends TSchema>(check: TypeCheck<S>, payload: unknown): Static<S> {
  if (!check.Check(payload)) {
    const first = check.Errors(payload).First();
    throw new Error(`event payload is invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unknown'}`);
  }
  return payload;
}
