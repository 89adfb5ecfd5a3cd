import type { BookingStatus } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { isUniqueViolation } from '../../platform/db/db-errors';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxRelay } from '../../platform/outbox/outbox';
import { BOOKING_STATUS_CHANGED, type BookingStatusChanged } from '../events/booking-events';
import type { DriverClaimsRepository } from './driver-claims.repository';
import type { DriverPresence } from './driver-presence';
import type { DriverTripsRepository } from './driver-trips.repository';
import { driverTripRow } from './driver-rows';

/**
 * The name of this consumer, which the outbox relay feeds every `booking.status_changed`
 * event. The value keeps the older wording: queued jobs and outbox bookkeeping store it.
 */
export const DRIVER_TRIPS_SYNC = 'driver-jobs.sync';

/** Statuses after which the driver no longer holds the booking: its claim is given back. */
const RELEASING: ReadonlySet<BookingStatus> = new Set<BookingStatus>([
  'delivered',
  'cancelled',
  'expired',
  'searching',
]);

export interface DriverTripsSyncDeps {
  router: ShardRouter;
  trips: DriverTripsRepository;
  claims: DriverClaimsRepository;
  presence: DriverPresence;
  clock: Clock;
}

/**
 * Keeps each driver's trip history (`driver_jobs`, on the driver's shard) in
 * step with booking status changes, and frees the driver when a trip ends.
 *
 * - The first event naming a driver inserts the row with the booking's facts;
 *   later ones update status and `completed_at`. The row remembers the `seq`
 *   it last applied, so a repeated or late event never moves it backwards.
 * - A booking returning to `searching` with a driver is that driver releasing
 *   it: the row is kept, marked `cancelled` (from the driver's side the trip
 *   ended unfinished), so the history shows it and stats ignore it.
 * - On delivered, cancelled, expired or a release, the driver's claim on this
 *   booking is given back (a no-op when it already was, or when the driver
 *   holds another booking by now).
 * - Then, when the change gave the driver a trip or took it away, the driver's
 *   availability is recomputed from SQL. That also resets the live path's
 *   active trip from the claim, which is the out-of-order-safe form of
 *   `setActiveTrip(driverId, null)`: a late "delivered" of an old trip cannot
 *   clear the trip the driver holds now. The moves within a trip (to pickup,
 *   arrived, collected, in transit) change neither, so they read nothing.
 */
export class DriverTripsSync {
  constructor(private readonly deps: DriverTripsSyncDeps) {}

  async handle(change: BookingStatusChanged): Promise<void> {
    const driverId = change.driverId;
    if (driverId === null) {
      return;
    }
    await this.applyToRow(driverId, change);
    if (RELEASING.has(change.to)) {
      await this.deps.claims.release(driverId, change.bookingId, this.deps.clock.now());
    }
    if (RELEASING.has(change.to) || change.to === 'driver_assigned') {
      await this.deps.presence.refreshAvailability(driverId);
    }
  }

  private async applyToRow(driverId: string, change: BookingStatusChanged): Promise<void> {
    const db = this.deps.router.forId(driverId).db;
    const key = { driverId, bookingId: change.bookingId };
    const status = change.to === 'searching' ? 'cancelled' : change.to;
    const completedAt = RELEASING.has(change.to) ? change.at : null;
    // Two tries: an insert that loses a race with another delivery becomes an update.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const now = this.deps.clock.now();
      // After the assignment the row exists: one conditional update moves it, and only a
      // row that is missing or already newer needs the read below.
      if (
        change.to !== 'driver_assigned' &&
        (await this.deps.trips.updateIfNewer(db, key, { status, completedAt, seq: change.seq, now }))
      ) {
        return;
      }
      const existing = await this.deps.trips.find(db, driverId, change.bookingId);
      if (existing !== undefined) {
        if (existing.seq < change.seq) {
          await this.deps.trips.updateIfNewer(db, key, { status, completedAt, seq: change.seq, now });
        }
        if (change.to === 'driver_assigned' && existing.assigned_at !== change.at) {
          // A late assignment event still knows best when this driver took the booking.
          await this.deps.trips.setAssignedAt(db, key, change.at, now);
        }
        return;
      }
      const booking = await this.deps.trips.findBooking(
        this.deps.router.forId(change.bookingId).db,
        change.bookingId,
      );
      if (booking === undefined) {
        // The event commits with the booking, so this is a shard we cannot read yet: retry later.
        throw new Error(`booking ${change.bookingId} of a status change was not found`);
      }
      try {
        await this.deps.trips.insert(
          db,
          driverTripRow(booking, driverId, {
            status,
            // The booking's assigned_at may belong to a later driver by now; the event's own time is this driver's.
            assignedAt: change.to === 'driver_assigned' ? change.at : (booking.assigned_at ?? change.at),
            completedAt,
            updatedAt: now,
            seq: change.seq,
          }),
        );
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) {
          throw error;
        }
      }
    }
  }
}

/** Consumes `booking.status_changed` in this process (worker role). */
export function registerDriverTripsSync(relay: Pick<OutboxRelay, 'consume'>, sync: DriverTripsSync): void {
  relay.consume(BOOKING_STATUS_CHANGED, DRIVER_TRIPS_SYNC, (event) => sync.handle(event.payload));
}
