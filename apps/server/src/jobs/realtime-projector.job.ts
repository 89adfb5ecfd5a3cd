import type { Offer } from '@loadline/contracts';
import type { ShardRouter } from '../platform/db/shard-router';
import type { OutboxJob, OutboxRelay } from '../platform/outbox/outbox';
import type { JobQueue } from '../platform/queue/job-queue.port';
import { rooms, type Delivery, type RealtimeSink } from '../platform/realtime/realtime-sink.port';
import {
  BOOKING_STATUS_CHANGED,
  OFFER_CREATED,
  OFFER_REVOKED,
  eventChecks,
  payloadOf,
  type BookingStatusChanged,
  type OfferCreated,
} from '../modules/bookings/booking-events';
import type { BookingPricing } from '../modules/bookings/bookings.service';
import type { BookingsRepository } from '../modules/bookings/bookings.repository';
import type { DriverPresence } from '../modules/drivers/driver-presence';
import type { OffersRepository } from '../modules/dispatch/offers.repository';
import { etaMinutes } from '../modules/bookings/eta';
import type { DriversRepository } from '../modules/drivers/drivers.repository';

export const REALTIME_PROJECTOR_JOB = 'realtime.project';

export interface RealtimeProjectorDeps {
  queue: JobQueue;
  relay: OutboxRelay;
  sink: RealtimeSink;
  router: ShardRouter;
  bookings: BookingsRepository;
  offers: OffersRepository;
  drivers: Pick<DriversRepository, 'card'>;
  presence: DriverPresence;
  pricing: Pick<BookingPricing, 'travelMinutes'>;
}

/**
 * The driver a committed change took off a booking, whose sockets must leave
 * its room: a release (`driver_assigned` -> `searching`, which names the driver
 * who let it go). A driver keeps reading a job that ended (cancelled, delivered),
 * so those take no one out. Null for every other change.
 */
export function driverWhoLeft(change: BookingStatusChanged): string | null {
  return change.to === 'searching' && change.driverId !== null ? change.driverId : null;
}

/**
 * Turns committed events into the contract's socket events for exactly the
 * rooms concerned, once per event (a queue job, not a bus listener, so several
 * realtime processes never send one event twice).
 */
export class RealtimeProjector {
  constructor(private readonly deps: RealtimeProjectorDeps) {}

  /**
   * Booking rooms the event takes users out of. Applied before
   * the event's deliveries, on every delivery of the event (leaving is
   * idempotent). A late repeat cannot take out a driver who holds the booking
   * again: a driver who released a booking is never offered it again.
   */
  revocations(event: OutboxJob): { userId: string; bookingId: string }[] {
    if (event.topic !== BOOKING_STATUS_CHANGED) {
      return [];
    }
    const change = payloadOf(eventChecks.statusChanged, event.payload);
    const driverId = driverWhoLeft(change);
    return driverId === null ? [] : [{ userId: driverId, bookingId: change.bookingId }];
  }

  async project(event: OutboxJob): Promise<Delivery[]> {
    switch (event.topic) {
      case BOOKING_STATUS_CHANGED:
        return this.bookingChanged(payloadOf(eventChecks.statusChanged, event.payload));
      case OFFER_CREATED:
        return this.offerCreated(payloadOf(eventChecks.offerCreated, event.payload));
      case OFFER_REVOKED: {
        const revoked = payloadOf(eventChecks.offerRevoked, event.payload);
        return [
          {
            rooms: [rooms.driver(revoked.driverId)],
            event: 'offerRevoked',
            data: { bookingId: revoked.bookingId, reason: revoked.reason },
          },
        ];
      }
      default:
        return [];
    }
  }

  private async bookingChanged(change: BookingStatusChanged): Promise<Delivery[]> {
    const audience = [rooms.booking(change.bookingId), rooms.user(change.customerId)];
    if (change.driverId !== null) {
      audience.push(rooms.driver(change.driverId));
    }
    const deliveries: Delivery[] = [
      {
        rooms: audience,
        event: 'bookingStatusUpdated',
        data: {
          bookingId: change.bookingId,
          status: change.to,
          seq: change.seq,
          at: new Date(change.at).toISOString(),
        },
      },
    ];
    if (change.to === 'driver_assigned' && change.driverId !== null) {
      const confirmed = await this.driverConfirmed(change.bookingId, change.driverId);
      if (confirmed !== null) {
        deliveries.push({
          rooms: [rooms.booking(change.bookingId), rooms.user(change.customerId)],
          event: 'driverConfirmed',
          data: confirmed,
        });
      }
    }
    return deliveries;
  }

  private async driverConfirmed(bookingId: string, driverId: string) {
    const { router, bookings, drivers, presence, pricing } = this.deps;
    const driver = await drivers.card(router.forId(driverId).db, driverId);
    const booking = await bookings.findById(router.forId(bookingId).db, bookingId);
    if (driver === undefined || booking === undefined) {
      return null;
    }
    const location = await presence.liveLocation(driverId);
    // Sent at assignment: the driver is on the way to the pickup.
    const toPickup = { lat: booking.pickup_lat, lng: booking.pickup_lng };
    return {
      bookingId,
      driverId,
      driver: { name: driver.name, vehicle: { type: driver.type, plate: driver.plate } },
      etaMinutes: location === null ? null : etaMinutes(pricing, booking.vehicle_type, location, toPickup),
    };
  }

  private async offerCreated(created: OfferCreated): Promise<Delivery[]> {
    const row = await this.deps.offers.find(
      this.deps.router.forId(created.driverId).db,
      created.driverId,
      created.bookingId,
    );
    if (row?.status !== 'pending') {
      return [];
    }
    return [
      {
        rooms: [rooms.driver(created.driverId)],
        event: 'bookingOffer',
        data: JSON.parse(row.payload) as Offer,
      },
    ];
  }
}

export function registerRealtimeProjectorJob(deps: RealtimeProjectorDeps): RealtimeProjector {
  const projector = new RealtimeProjector(deps);
  for (const topic of [BOOKING_STATUS_CHANGED, OFFER_CREATED, OFFER_REVOKED]) {
    deps.relay.consume(topic, REALTIME_PROJECTOR_JOB, async (event) => {
      // First out of the room, then the event: nothing of what follows reaches a driver who left.
      for (const { userId, bookingId } of projector.revocations(event)) {
        deps.sink.revokeBooking(userId, bookingId);
      }
      for (const delivery of await projector.project(event)) {
        deps.sink.deliver(delivery);
      }
    });
  }
  return projector;
}
