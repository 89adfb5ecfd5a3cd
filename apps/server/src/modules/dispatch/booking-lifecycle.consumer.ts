import type { BookingStatus } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import type { GeoIndex } from '../../platform/geo/geo-index.port';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxRelay } from '../../platform/outbox/outbox';
import type { JobQueue } from '../../platform/queue/job-queue.port';
import { BOOKING_STATUS_CHANGED } from '../events/booking-events';
import type { BookingsRepository } from '../bookings/bookings.repository';
import type { DispatchService } from './dispatch.service';
import { searchingBookingsSet } from '../bookings/searching-bookings';
import {
  activationJobId,
  BOOKING_ACTIVATE_JOB,
  type ActivationScheduler,
} from '../bookings/booking-activation.job';
import { expireUndispatchable, type DispatchFailureDeps } from './dispatch-wave.job';

export const BOOKING_LIFECYCLE = 'booking.lifecycle';

/**
 * The moves of an assigned trip: only a `driver_assigned` booking can be
 * released back to searching, so after one of these the booking is off the
 * demand index for good and there is nothing else to start or stop.
 */
export const ON_THE_TRIP: ReadonlySet<BookingStatus> = new Set<BookingStatus>([
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
  'delivered',
]);

export interface BookingLifecycleDeps extends DispatchFailureDeps {
  queue: JobQueue;
  relay: Pick<OutboxRelay, 'consume'>;
  router: ShardRouter;
  geo: GeoIndex;
  clock: Clock;
  bookings: BookingsRepository;
  dispatch: DispatchService;
  activation: ActivationScheduler;
}

/**
 * Reacts to every committed booking status change: keeps the demand index for
 * surge, starts and stops dispatch, withdraws offers, and schedules or cancels
 * the activation of scheduled bookings. Each step is idempotent. Freeing the
 * driver is the driver-trips consumer's part. When starting a search fails on
 * the event's last delivery, the booking expires instead of waiting for a
 * dispatch that would never come.
 */
export function registerBookingLifecycleConsumer(deps: BookingLifecycleDeps): void {
  deps.relay.consume(BOOKING_STATUS_CHANGED, BOOKING_LIFECYCLE, async (event, delivery) => {
    const change = event.payload;
    const searchingSet = searchingBookingsSet(change.vehicleType);
    if (ON_THE_TRIP.has(change.to)) {
      // Past the assignment a booking never searches again: nothing here needs its row.
      await deps.geo.remove(searchingSet, change.bookingId);
      return;
    }
    const booking = await deps.bookings.findById(deps.router.forId(change.bookingId).db, change.bookingId);
    if (booking === undefined) {
      return;
    }
    if (change.to === 'searching') {
      if (booking.status === 'searching') {
        try {
          await deps.geo.upsert(searchingSet, booking.id, {
            lat: booking.pickup_lat,
            lng: booking.pickup_lng,
          });
          // Only the first wave: later ones are queued by the wave before, or run by the sweep.
          if (booking.offer_wave === 0) {
            await deps.dispatch.startSearch(booking);
          }
        } catch (error) {
          if (delivery.attempt < delivery.maxAttempts) {
            throw error;
          }
          await expireUndispatchable(deps, booking.id, error, {
            name: BOOKING_LIFECYCLE,
            attempt: delivery.attempt,
          });
          return;
        }
      }
    } else if (change.from === 'searching' || booking.status !== 'searching') {
      await deps.geo.remove(searchingSet, booking.id);
    }
    if (change.from === 'searching' && change.to === 'driver_assigned') {
      await deps.dispatch.revokeOffers(booking, 'taken', change.driverId);
    }
    if (change.to === 'cancelled' || change.to === 'expired') {
      await deps.dispatch.revokeOffers(booking, change.to === 'cancelled' ? 'cancelled' : 'expired', null);
    }
    if (change.to === 'scheduled' && booking.status === 'scheduled') {
      await deps.activation.schedule(booking);
    }
    if (change.from === 'scheduled' && change.to === 'cancelled') {
      await deps.queue.remove(BOOKING_ACTIVATE_JOB, activationJobId(booking.id));
    }
    // A driver who left the trip is given back to the pool by the driver-trips consumer (drivers/driver-trips.consumer.ts).
  });
}
