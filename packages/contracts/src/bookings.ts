import { Type, type Static } from '@sinclair/typebox';
import { Coordinates, Id, Money, Text, Timestamp } from './common';
import { Phone, VehicleTypeSchema } from './auth';
import { BookingRef } from './booking-ref';

/** Every booking status, in the order a booking moves through them; the three that end it last. */
export const BOOKING_STATUSES = [
  'scheduled',
  'searching',
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
  'delivered',
  'cancelled',
  'expired',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export const BookingStatusSchema = Type.Union(BOOKING_STATUSES.map((status) => Type.Literal(status)));

/**
 * Statuses in which a driver is on a trip (location is shared, the driver is
 * busy), in the order the driver moves through them.
 */
export const ACTIVE_TRIP_STATUSES = [
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
] as const satisfies readonly BookingStatus[];
export type ActiveTripStatus = (typeof ACTIVE_TRIP_STATUSES)[number];

/**
 * The driver's steps, in order, from accepting a booking to delivering it:
 * each move a driver makes forward goes to the next status of this list.
 */
export const DRIVER_STEPS = [
  ...ACTIVE_TRIP_STATUSES,
  'delivered',
] as const satisfies readonly BookingStatus[];

/** Statuses nothing leaves. */
export const TERMINAL_STATUSES = [
  'delivered',
  'cancelled',
  'expired',
] as const satisfies readonly BookingStatus[];

/** Customers may cancel until the goods are collected; after that only an admin may, until delivery. */
const CUSTOMER_CANCELS_BEFORE: BookingStatus = 'goods_collected';

export function isActiveTripStatus(status: BookingStatus): status is ActiveTripStatus {
  return ACTIVE_TRIP_STATUSES.some((active) => active === status);
}

export function isTerminalStatus(status: BookingStatus): boolean {
  return TERMINAL_STATUSES.some((terminal) => terminal === status);
}

/** The status a driver's next step moves a booking to, or null when no driver step follows `from`. */
export function nextDriverStatus(from: BookingStatus): BookingStatus | null {
  return isActiveTripStatus(from) ? (DRIVER_STEPS[DRIVER_STEPS.indexOf(from) + 1] ?? null) : null;
}

/** True while the customer may still cancel: before the goods are collected, and never once it has ended. */
export function customerMayCancel(status: BookingStatus): boolean {
  return (
    !isTerminalStatus(status) &&
    BOOKING_STATUSES.indexOf(status) < BOOKING_STATUSES.indexOf(CUSTOMER_CANCELS_BEFORE)
  );
}

export const Goods = Type.Object(
  {
    description: Text({ maxLength: 500, required: true, multiline: true }),
    weightKg: Type.Number({ exclusiveMinimum: 0, maximum: 50_000 }),
  },
  { additionalProperties: false },
);
export type Goods = Static<typeof Goods>;

/** Most drop-offs one booking may have. */
export const MAX_STOPS = 10;

/**
 * Where a stop stands: not reached yet, the driver is there, the goods were
 * handed over, or the attempt failed.
 */
export const STOP_STATUSES = ['pending', 'arrived', 'delivered', 'failed'] as const;
export type StopStatus = (typeof STOP_STATUSES)[number];
export const StopStatusSchema = Type.Union(STOP_STATUSES.map((status) => Type.Literal(status)));

/** Who takes the goods at a stop. */
export const StopRecipient = Type.Object(
  { name: Text({ maxLength: 200, required: true }), phone: Type.Optional(Phone) },
  { additionalProperties: false },
);
export type StopRecipient = Static<typeof StopRecipient>;

/** One drop-off as a customer asks for it (v1.1 multi-stop bookings). */
export const StopRequest = Type.Object(
  { location: Coordinates, goods: Type.Optional(Goods), recipient: Type.Optional(StopRecipient) },
  { additionalProperties: false },
);
export type StopRequest = Static<typeof StopRequest>;

const StopRequests = Type.Array(StopRequest, {
  minItems: 1,
  maxItems: MAX_STOPS,
  description: 'The drop-offs, in the order the driver makes them; send either `stops` or `dropoff`.',
});

export const QuoteRequest = Type.Object(
  {
    pickup: Coordinates,
    dropoff: Type.Optional(Coordinates),
    stops: Type.Optional(StopRequests),
    vehicleType: VehicleTypeSchema,
  },
  { additionalProperties: false },
);
export type QuoteRequest = Static<typeof QuoteRequest>;

/** A stop as a quote prices it: the request's stop, numbered from 1. */
export const QuoteStop = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  location: Coordinates,
  recipient: Type.Union([StopRecipient, Type.Null()]),
  goods: Type.Union([Goods, Type.Null()]),
});
export type QuoteStop = Static<typeof QuoteStop>;

/** What the driver left as proof of a handover. */
export const StopProof = Type.Object({
  recipientName: Type.Union([Type.String(), Type.Null()]),
  photoUrl: Type.Union([Type.String(), Type.Null()]),
  signatureUrl: Type.Union([Type.String(), Type.Null()]),
  at: Timestamp,
  /** The driver's live position at completion, when one was known. */
  location: Type.Union([Coordinates, Type.Null()]),
});
export type StopProof = Static<typeof StopProof>;

/** Why a driver could not hand over a stop's goods. */
export const STOP_FAILURE_REASONS = [
  'recipient_absent',
  'refused',
  'address_not_found',
  'damaged',
  'other',
] as const;
export type StopFailureReason = (typeof STOP_FAILURE_REASONS)[number];
export const StopFailureReasonSchema = Type.Union(STOP_FAILURE_REASONS.map((reason) => Type.Literal(reason)));

/** A failed attempt at a stop, as the driver recorded it. */
export const StopFailure = Type.Object({
  reason: StopFailureReasonSchema,
  note: Type.Union([Type.String(), Type.Null()]),
  photoUrl: Type.Union([Type.String(), Type.Null()]),
});
export type StopFailure = Static<typeof StopFailure>;

/** A stop of a booking as it is worked (a v1 booking has one: its drop-off). */
export const BookingStop = Type.Object({
  ...QuoteStop.properties,
  status: StopStatusSchema,
  arrivedAt: Type.Union([Timestamp, Type.Null()]),
  /** When the stop was delivered or failed. */
  completedAt: Type.Union([Timestamp, Type.Null()]),
  proof: Type.Union([StopProof, Type.Null()]),
  /** Present on a failed stop. */
  failure: Type.Optional(StopFailure),
});
export type BookingStop = Static<typeof BookingStop>;

/** `/v1/bookings/:id/stops/:seq/...`: the booking and the stop's seq. */
export const StopParams = Type.Object(
  { id: Id, seq: Type.Integer({ minimum: 1, maximum: MAX_STOPS }) },
  { additionalProperties: false },
);
export type StopParams = Static<typeof StopParams>;

/** A handover PIN as the driver types it: four digits. */
export const HandoverPin = Type.String({
  pattern: '^[0-9]{4}$',
  description: 'The handover PIN the customer or recipient gives the driver (bookings with `handoverPins`).',
});

/** `POST .../stops/:seq/complete`: the proof of the handover (uploads of this booking by its driver). */
export const CompleteStopBody = Type.Object(
  {
    pin: Type.Optional(HandoverPin),
    recipientName: Type.Optional(Text({ maxLength: 200, required: true })),
    photoId: Type.Optional(Id),
    signatureId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type CompleteStopBody = Static<typeof CompleteStopBody>;

/** `POST .../stops/:seq/fail`: why the goods could not be handed over. */
export const FailStopBody = Type.Object(
  {
    reason: StopFailureReasonSchema,
    note: Type.Optional(Text({ maxLength: 1000, multiline: true })),
    photoId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type FailStopBody = Static<typeof FailStopBody>;

export const PriceBreakdown = Type.Object({
  baseFare: Type.Integer(),
  distanceFare: Type.Integer(),
  timeFare: Type.Integer(),
  surgeAmount: Type.Integer({ description: 'What surge added on top of base, distance and time.' }),
  minimumFareTopUp: Type.Integer({ description: 'Added when the fare would be below the minimum.' }),
  currency: Type.String(),
  region: Type.String(),
});
export type PriceBreakdown = Static<typeof PriceBreakdown>;

export const Quote = Type.Object({
  id: Id,
  vehicleType: VehicleTypeSchema,
  pickup: Coordinates,
  /** The last stop when the quote has `stops`. */
  dropoff: Coordinates,
  /** Added in v1.1: present when the quote was asked with `stops`. */
  stops: Type.Optional(Type.Array(QuoteStop)),
  distanceKm: Type.Number(),
  durationMinutes: Type.Number(),
  price: Money,
  surgeMultiplier: Type.Number(),
  breakdown: PriceBreakdown,
  expiresAt: Timestamp,
});
export type Quote = Static<typeof Quote>;

export const CreateBookingBody = Type.Object(
  {
    quoteId: Type.Optional(Id),
    pickup: Type.Optional(Coordinates),
    dropoff: Type.Optional(Coordinates),
    stops: Type.Optional(StopRequests),
    vehicleType: Type.Optional(VehicleTypeSchema),
    goods: Type.Optional(Goods),
    scheduledAt: Type.Optional(Timestamp),
    /** Added in v1.1: a fresh PIN for every handover (default: the operator's HANDOVER_PINS_DEFAULT). */
    handoverPins: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateBookingBody = Static<typeof CreateBookingBody>;

export const Booking = Type.Object({
  id: Id,
  /** Added in v1.2; every booking the server presents has one (a fallback derived from the ID for older rows). */
  ref: Type.Optional(BookingRef),
  status: BookingStatusSchema,
  customerId: Id,
  driverId: Type.Union([Id, Type.Null()]),
  vehicleType: VehicleTypeSchema,
  pickup: Coordinates,
  /** The last stop of a multi-stop booking. */
  dropoff: Coordinates,
  /** Added in v1.1; every booking the server presents has them (one, its drop-off, for a v1 booking). */
  stops: Type.Optional(Type.Array(BookingStop)),
  /** With `stops`: every stop's goods together (descriptions joined, weights added). */
  goods: Type.Union([Goods, Type.Null()]),
  /** Added in v1.1: whether each handover needs its PIN (`GET /v1/bookings/:id/pins`). */
  handoverPins: Type.Optional(Type.Boolean()),
  price: Money,
  distanceKm: Type.Number(),
  durationMinutes: Type.Number(),
  surgeMultiplier: Type.Number(),
  scheduledAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  seq: Type.Integer(),
  rating: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()], {
    description: "The customer's rating of a delivered trip.",
  }),
});
export type Booking = Static<typeof Booking>;

export const BookingListQuery = Type.Object(
  {
    status: Type.Optional(BookingStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type BookingListQuery = Static<typeof BookingListQuery>;

/** A booking in the admin list: the booking, with its customer's and driver's names (v1.2). */
export const AdminBooking = Type.Object({
  ...Booking.properties,
  customerName: Type.String(),
  driverName: Type.Union([Type.String(), Type.Null()], {
    description: 'The driver holding the booking, or who held it when it ended; null before one accepted.',
  }),
});
export type AdminBooking = Static<typeof AdminBooking>;

/** `GET /v1/admin/bookings`: the customer list's filters, and by customer, driver or reference (v1.2). */
export const AdminBookingListQuery = Type.Object(
  {
    ...BookingListQuery.properties,
    customerId: Type.Optional(Id),
    driverId: Type.Optional(Id),
    ref: Type.Optional(
      Type.String({
        minLength: 7,
        maxLength: 24,
        description: 'A booking reference as a person typed it (any letter case, with or without `LL-`).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AdminBookingListQuery = Static<typeof AdminBookingListQuery>;

export const CancelBookingBody = Type.Object(
  { reason: Type.Optional(Text({ maxLength: 500, multiline: true })) },
  { additionalProperties: false },
);

/**
 * `GET /v1/bookings/:id/pins` (customer and admin only): the PINs of the
 * booking's handovers while a driver holds it; null before assignment or on a
 * booking without PINs. `locked` names handovers closed by 5 wrong tries.
 */
export const BookingPins = Type.Object({
  pickup: Type.Union([Type.String(), Type.Null()]),
  stops: Type.Array(Type.Object({ seq: Type.Integer({ minimum: 1 }), pin: Type.String() })),
  /** Added: the handovers locked by wrong PINs until an admin unlocks them (0 is the pickup). */
  locked: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
});
export type BookingPins = Static<typeof BookingPins>;

/** `POST /v1/admin/bookings/:id/pins/unlock`: one handover (0 the pickup, else the stop's seq), or every locked one. */
export const UnlockPinsBody = Type.Object(
  { handover: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_STOPS })) },
  { additionalProperties: false },
);
export type UnlockPinsBody = Static<typeof UnlockPinsBody>;

/** What a booking event records besides a status change (v1.1); a status change has no `type`. */
export const BOOKING_EVENT_TYPES = [
  'stop_arrived',
  'stop_completed',
  'stop_failed',
  'pin_rejected',
  'pin_locked',
  'pins_unlocked',
] as const;
export type BookingEventType = (typeof BOOKING_EVENT_TYPES)[number];

export const BookingEvent = Type.Object({
  seq: Type.Integer(),
  /** The booking's status at the event (a stop event leaves it as it was). */
  status: BookingStatusSchema,
  /** Added in v1.1: a stop's event; absent for a status change. */
  type: Type.Optional(Type.Union(BOOKING_EVENT_TYPES.map((type) => Type.Literal(type)))),
  /** Added in v1.1: the stop a stop event is about. */
  stopSeq: Type.Optional(Type.Integer({ minimum: 1 })),
  at: Timestamp,
  actor: Type.Object({
    role: Type.Union([
      Type.Literal('customer'),
      Type.Literal('driver'),
      Type.Literal('admin'),
      Type.Literal('system'),
    ]),
    id: Type.Union([Id, Type.Null()]),
  }),
});
export type BookingEvent = Static<typeof BookingEvent>;

export const DriverLocation = Type.Object({
  lat: Type.Number(),
  lng: Type.Number(),
  heading: Type.Union([Type.Number(), Type.Null()]),
  at: Timestamp,
});
export type DriverLocation = Static<typeof DriverLocation>;

/** The driver holding a booking, as its customer sees them. */
export const TrackingDriver = Type.Object({
  id: Id,
  name: Type.String(),
  /** Only while the trip is active (from `driver_assigned` through `in_transit`), and when the driver gave one. */
  phone: Type.Union([Type.String(), Type.Null()]),
  vehicle: Type.Object({ type: VehicleTypeSchema, plate: Type.String() }),
});
export type TrackingDriver = Static<typeof TrackingDriver>;

export const Tracking = Type.Object({
  status: BookingStatusSchema,
  driverLocation: Type.Union([DriverLocation, Type.Null()]),
  etaMinutes: Type.Union([Type.Number(), Type.Null()]),
  /** Added in v1.2: present whenever a driver holds or held the booking, so a reloaded page can name them. */
  driver: Type.Optional(TrackingDriver),
});
export type Tracking = Static<typeof Tracking>;

export const StatusUpdateBody = Type.Object(
  {
    status: BookingStatusSchema,
    /** Added in v1.1: the pickup's PIN with `goods_collected`, a one-stop booking's stop PIN with `delivered`. */
    pin: Type.Optional(HandoverPin),
  },
  { additionalProperties: false },
);
