import type { BookingStatus, VehicleType } from '@loadline/contracts';

/** Outbox topic of every booking status change, creation included (`from` is null then). */
export const BOOKING_STATUS_CHANGED = 'booking.status_changed';

export type ActorRole = 'customer' | 'driver' | 'admin' | 'system';

export interface BookingActor {
  role: ActorRole;
  id: string | null;
}

/** Payload of `booking.status_changed`: IDs and facts, no personal data. */
export interface BookingStatusChanged {
  bookingId: string;
  customerId: string;
  /** The driver on the booking after the change (for a release: the driver who let it go). */
  driverId: string | null;
  vehicleType: VehicleType;
  from: BookingStatus | null;
  to: BookingStatus;
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  actor: BookingActor;
}

/** Outbox topic of a customer's rating of a delivered trip. */
export const BOOKING_RATED = 'booking.rated';

export interface BookingRated {
  bookingId: string;
  driverId: string;
  rating: number;
  /** Epoch milliseconds of the rating; the trip's own day is `deliveredAt`. */
  at: number;
  deliveredAt: number;
}

/** Outbox topics of offers, written on the driver's shard. */
export const OFFER_CREATED = 'offer.created';
export const OFFER_REVOKED = 'offer.revoked';

export interface OfferCreated {
  driverId: string;
  bookingId: string;
}

export interface OfferRevoked {
  driverId: string;
  bookingId: string;
  reason: 'taken' | 'cancelled' | 'expired';
}
