import { Type, type Static } from '@sinclair/typebox';
import { VehicleTypeSchema } from './auth';
import { BookingStatusSchema, DriverLocation, StopStatusSchema } from './bookings';
import { Id, Timestamp } from './common';

/**
 * A share link's token: the booking's logical shard in base 36, a dot, and
 * 22 base64url characters (128 random bits). Only its SHA-256 is stored.
 */
export const ShareToken = Type.String({ pattern: '^[0-9a-z]{1,4}\\.[A-Za-z0-9_-]{22}$', maxLength: 27 });

export const ShareParams = Type.Object({ id: Id, token: ShareToken }, { additionalProperties: false });
export type ShareParams = Static<typeof ShareParams>;

export const TrackParams = Type.Object(
  { token: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
export type TrackParams = Static<typeof TrackParams>;

/** `POST /v1/bookings/:id/share`: the token is shown once; `url` is the public page `/t/:token`. */
export const ShareLink = Type.Object({
  token: ShareToken,
  url: Type.String(),
  /** The latest it lives: 7 days from creation, or 1 h after the booking ends if that is sooner. */
  expiresAt: Timestamp,
});
export type ShareLink = Static<typeof ShareLink>;

export const TrackStop = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    status: StopStatusSchema,
  },
  { additionalProperties: false },
);
export type TrackStop = Static<typeof TrackStop>;

/**
 * `GET /v1/track/:token` (no auth): what a recipient of a share link sees.
 * Nothing about the customer, no price, no PIN; the driver by first name.
 */
export const PublicTracking = Type.Object(
  {
    status: BookingStatusSchema,
    vehicleType: VehicleTypeSchema,
    driver: Type.Union([
      Type.Object(
        {
          firstName: Type.String(),
          vehicle: Type.Object(
            { type: VehicleTypeSchema, plate: Type.String() },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    driverLocation: Type.Union([DriverLocation, Type.Null()]),
    etaMinutes: Type.Union([Type.Number(), Type.Null()]),
    stops: Type.Array(TrackStop),
  },
  { additionalProperties: false },
);
export type PublicTracking = Static<typeof PublicTracking>;

/** `etaUpdated`: the live ETA to the next handover, sent when it moves by a minute or more. */
export interface EtaUpdatedEvent {
  bookingId: string;
  etaMinutes: number;
  /** 0 while the driver heads for the pickup, else the seq of the stop it heads for. */
  toStop: number;
  at: string;
}
