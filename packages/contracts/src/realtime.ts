import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common';
import type { Booking, BookingStatus, GenerationJob, Overview } from './index';
import { BookingStatusSchema, HandoverPin } from './bookings';
import type { Offer } from './drivers';
import type { VehicleType } from './auth';
import type { ErrorCode } from './errors';
import type { EtaUpdatedEvent, PublicTracking } from './sharing';

/** Payloads the server validates on every client event. */
export const SubscribeBookingPayload = Type.Object({ bookingId: Id }, { additionalProperties: false });
export type SubscribeBookingPayload = Static<typeof SubscribeBookingPayload>;

export const BookingStatusChangedPayload = Type.Object(
  { bookingId: Id, status: BookingStatusSchema, pin: Type.Optional(HandoverPin) },
  { additionalProperties: false },
);
export type BookingStatusChangedPayload = Static<typeof BookingStatusChangedPayload>;

export interface AckError {
  ok: false;
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;

export interface DriverLocationEvent {
  bookingId: string;
  driverId: string;
  lat: number;
  lng: number;
  heading: number | null;
  at: string;
}

export interface BookingStatusUpdatedEvent {
  bookingId: string;
  status: BookingStatus;
  seq: number;
  at: string;
}

/** `stopArrived`, `stopCompleted`, `stopFailed`: a stop's move. */
export interface StopEvent {
  bookingId: string;
  /** The stop that moved (its `stops[].seq`). */
  seq: number;
  /** The booking event's own seq, in order with `bookingStatusUpdated`'s (an addition to the contract's fields). */
  eventSeq: number;
  at: string;
}

export interface DriverConfirmedEvent {
  bookingId: string;
  driverId: string;
  driver: { name: string; vehicle: { type: VehicleType; plate: string } };
  etaMinutes: number | null;
}

export interface NotificationEvent {
  id: string;
  type: string;
  title: string;
  body: string;
  bookingId?: string;
  at: string;
}

export interface FleetDriver {
  id: string;
  lat: number;
  lng: number;
  status: 'available' | 'busy' | 'offline';
  vehicleType: VehicleType;
}

export interface FleetUpdateEvent {
  at: string;
  /** True when `drivers` is the whole fleet (on subscribe); false for changes since the last update. */
  full: boolean;
  drivers: FleetDriver[];
  /** Drivers gone from the map since the last update. */
  removed: string[];
}

export interface ServerToClientEvents {
  bookingOffer: (offer: Offer) => void;
  offerRevoked: (event: { bookingId: string; reason: string }) => void;
  driverConfirmed: (event: DriverConfirmedEvent) => void;
  bookingStatusUpdated: (event: BookingStatusUpdatedEvent) => void;
  driverLocation: (event: DriverLocationEvent) => void;
  notification: (event: NotificationEvent) => void;
  fleetUpdate: (event: FleetUpdateEvent) => void;
  metrics: (event: Overview) => void;
  /** Admins: progress of a bulk generation job, at most once a second per job. */
  generationProgress: (event: GenerationJob) => void;
  /** The live ETA to the next handover, when it moves by a minute or more (or the handover changes). */
  etaUpdated: (event: EtaUpdatedEvent) => void;
  /** The driver arrived at a stop of a multi-stop booking (to its subscribers and its customer). */
  stopArrived: (event: StopEvent) => void;
  /** A stop's goods were handed over; the booking's `stops[].proof` holds the proof. */
  stopCompleted: (event: StopEvent) => void;
  /** A stop's handover failed; the booking's `stops[].failure` says why. */
  stopFailed: (event: StopEvent) => void;
}

export interface ClientToServerEvents {
  driverLocationUpdate: (payload: unknown, ack?: (response: Ack<{ accepted: boolean }>) => void) => void;
  /** A share-link socket is answered with the public view (`tracking`), never the booking. */
  subscribeBooking: (
    payload: unknown,
    ack?: (response: Ack<{ booking: Booking } | { tracking: PublicTracking }>) => void,
  ) => void;
  unsubscribeBooking: (payload: unknown, ack?: (response: Ack) => void) => void;
  bookingStatusChanged: (payload: unknown, ack?: (response: Ack<{ booking: Booking }>) => void) => void;
  subscribeFleet: (payload: unknown, ack?: (response: Ack) => void) => void;
  unsubscribeFleet: (payload: unknown, ack?: (response: Ack) => void) => void;
}
