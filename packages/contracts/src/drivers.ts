import { Type, type Static } from '@sinclair/typebox';
import { Coordinates, Id, Money, Timestamp } from './common';
import { Contact, Vehicle, VehicleTypeSchema } from './auth';
import { BookingRef } from './booking-ref';
import { BookingStatusSchema, Goods } from './bookings';

export const AvailabilityBody = Type.Object({ online: Type.Boolean() }, { additionalProperties: false });

/** Answer of `PUT /v1/driver/availability`. */
export const AvailabilityResponse = Type.Object({ online: Type.Boolean() });
export type AvailabilityResponse = Static<typeof AvailabilityResponse>;

export const LocationUpdate = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    heading: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    speedKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
    at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type LocationUpdate = Static<typeof LocationUpdate>;

/** Answer (202) of `POST /v1/driver/location` and the ack of the `driverLocationUpdate` socket event. */
export const LocationAccepted = Type.Object({
  accepted: Type.Boolean({
    description:
      'true when the position became the live one; false when it was older than the stored position and changed nothing.',
  }),
  coalesced: Type.Optional(
    Type.Boolean({
      description:
        'Added: true when a newer ping of the same driver replaced this one before it was worked (the server was ' +
        'behind); the newer position is the one that counts.',
    }),
  ),
});
export type LocationAccepted = Static<typeof LocationAccepted>;

export const Offer = Type.Object({
  bookingId: Id,
  pickup: Coordinates,
  dropoff: Coordinates,
  vehicleType: VehicleTypeSchema,
  price: Money,
  distanceKm: Type.Number(),
  pickupDistanceKm: Type.Number(),
  expiresAt: Timestamp,
  /** What to carry, when the customer said (offers made before it was added have none). */
  goods: Type.Optional(Goods),
});
export type Offer = Static<typeof Offer>;

/** Who to call about a trip: its customer, on the driver's active trip only. */
export const TripCustomer = Type.Object({
  name: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
});
export type TripCustomer = Static<typeof TripCustomer>;

export const DriverTrip = Type.Object({
  bookingId: Id,
  /** Added in v1.2: the booking's reference, as its customer sees it. */
  bookingRef: Type.Optional(BookingRef),
  status: BookingStatusSchema,
  vehicleType: VehicleTypeSchema,
  pickup: Coordinates,
  dropoff: Coordinates,
  price: Money,
  distanceKm: Type.Number(),
  assignedAt: Timestamp,
  completedAt: Type.Union([Timestamp, Type.Null()]),
  /** Present while the trip is active (from `driver_assigned` through `in_transit`), so the driver can call. */
  customer: Type.Optional(TripCustomer),
});
export type DriverTrip = Static<typeof DriverTrip>;

export const DriverStats = Type.Object({
  trips: Type.Integer(),
  earnings: Money,
  acceptanceRate: Type.Union([Type.Number(), Type.Null()]),
  rating: Type.Union([Type.Number(), Type.Null()]),
  ratingCount: Type.Integer(),
});
export type DriverStats = Static<typeof DriverStats>;

export const AdminDriver = Type.Object({
  ...Contact,
  vehicle: Vehicle,
  online: Type.Boolean(),
  suspended: Type.Boolean(),
  busy: Type.Boolean(),
  /** The booking the driver is on; present only while busy. */
  activeBookingId: Type.Optional(Id),
  lastLocation: Type.Union([
    Type.Object({ lat: Type.Number(), lng: Type.Number(), at: Timestamp }),
    Type.Null(),
  ]),
  createdAt: Timestamp,
});
export type AdminDriver = Static<typeof AdminDriver>;

export const AdminDriverListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([
        Type.Literal('online'),
        Type.Literal('offline'),
        Type.Literal('busy'),
        Type.Literal('suspended'),
      ]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type AdminDriverListQuery = Static<typeof AdminDriverListQuery>;

export const SuspendBody = Type.Object({ suspended: Type.Boolean() }, { additionalProperties: false });

export const AdminVehicle = Type.Object({
  id: Id,
  driverId: Id,
  /** Added in v1.2: the driver's name (null if the account is gone). */
  driverName: Type.Union([Type.String(), Type.Null()]),
  type: VehicleTypeSchema,
  plate: Type.String(),
  capacityKg: Type.Integer(),
  createdAt: Timestamp,
});
export type AdminVehicle = Static<typeof AdminVehicle>;

export const Overview = Type.Object({
  onlineDrivers: Type.Integer(),
  activeBookings: Type.Integer(),
  searchingBookings: Type.Integer(),
  completedToday: Type.Integer(),
  avgTripMinutes: Type.Union([Type.Number(), Type.Null()]),
  avgPickupWaitMinutes: Type.Union([Type.Number(), Type.Null()]),
  acceptanceRate: Type.Union([Type.Number(), Type.Null()]),
  cancellationRate: Type.Union([Type.Number(), Type.Null()]),
  /** Added in v1.2: bookings that expired today (UTC) because no driver accepted in time. */
  expiredToday: Type.Integer(),
  /** Added in v1.2: today's expired bookings as a share of today's ended ones (delivered, cancelled, expired). */
  expiredRate: Type.Union([Type.Number(), Type.Null()]),
});
export type Overview = Static<typeof Overview>;
