import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxRelay } from '../../platform/outbox/outbox';
import { rooms, type Delivery, type RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import {
  BOOKING_STATUS_CHANGED,
  BOOKING_STOP_CHANGED,
  OFFER_CREATED,
  OFFER_REVOKED,
  type BookingStatusChanged,
  type BookingStopChanged,
  type OfferCreated,
  type OfferRevoked,
} from '../events/booking-events';
import type { BookingPricing } from '../bookings/bookings.service';
import type { BookingsRepository } from '../bookings/bookings.repository';
import type { DriverPresence } from '../drivers/driver-presence';
import type { OfferReads } from './offer-reads';
import { OFFER_PAYLOAD } from './offers.repository';
import { etaMinutes } from '../bookings/eta';
import type { DriversRepository } from '../drivers/drivers.repository';

/** The consumer that turns committed events into socket events. */
export const REALTIME_PROJECTOR = 'realtime.project';

export interface RealtimeProjectorDeps {
  relay: Pick<OutboxRelay, 'consume'>;
  sink: RealtimeSink;
  router: ShardRouter;
  bookings: BookingsRepository;
  /** The offer an `offer.created` names, read together with the others of its turn. */
  offerReads: Pick<OfferReads, 'find'>;
  drivers: Pick<DriversRepository, 'card'>;
  presence: DriverPresence;
  pricing: Pick<BookingPricing, 'travelMinutes'>;
}

/**
 * The driver a committed change took off a booking, whose sockets must leave
 * its room: a release (`driver_assigned` -> `searching`, which names the driver
 * who let it go). A driver keeps reading a trip that ended (cancelled, delivered),
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
   * Booking rooms the change takes users out of. Applied before the change's
   * deliveries, on every delivery of the event (leaving is idempotent). A late
   * repeat cannot take out a driver who holds the booking again: a driver who
   * released a booking is never offered it again.
   */
  revocations(change: BookingStatusChanged): { userId: string; bookingId: string }[] {
    const driverId = driverWhoLeft(change);
    return driverId === null ? [] : [{ userId: driverId, bookingId: change.bookingId }];
  }

  offerRevoked(revoked: OfferRevoked): Delivery[] {
    return [
      {
        rooms: [rooms.driver(revoked.driverId)],
        event: 'offerRevoked',
        data: { bookingId: revoked.bookingId, reason: revoked.reason },
      },
    ];
  }

  async bookingChanged(change: BookingStatusChanged): Promise<Delivery[]> {
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

  /** A stop's move, to the booking's subscribers and its customer (never a share link's: not a public event). */
  stopChanged(change: BookingStopChanged): Delivery[] {
    const data = {
      bookingId: change.bookingId,
      seq: change.stopSeq,
      eventSeq: change.seq,
      at: new Date(change.at).toISOString(),
    };
    const audience = [rooms.booking(change.bookingId), rooms.user(change.customerId)];
    switch (change.change) {
      case 'arrived':
        return [{ rooms: audience, event: 'stopArrived', data }];
      case 'completed':
        return [{ rooms: audience, event: 'stopCompleted', data }];
      case 'failed':
        return [{ rooms: audience, event: 'stopFailed', data }];
    }
  }

  async offerCreated(created: OfferCreated): Promise<Delivery[]> {
    const row = await this.deps.offerReads.find(created.driverId, created.bookingId);
    if (row?.status !== 'pending') {
      return [];
    }
    return [
      {
        rooms: [rooms.driver(created.driverId)],
        event: 'bookingOffer',
        data: OFFER_PAYLOAD.read(row.payload),
      },
    ];
  }
}

export function registerRealtimeProjector(deps: RealtimeProjectorDeps): RealtimeProjector {
  const projector = new RealtimeProjector(deps);
  const send = (deliveries: Delivery[]) => {
    for (const delivery of deliveries) {
      deps.sink.deliver(delivery);
    }
  };
  deps.relay.consume(BOOKING_STATUS_CHANGED, REALTIME_PROJECTOR, async (event) => {
    // First out of the room, then the event: nothing of what follows reaches a driver who left.
    for (const { userId, bookingId } of projector.revocations(event.payload)) {
      deps.sink.revokeBooking(userId, bookingId);
    }
    send(await projector.bookingChanged(event.payload));
  });
  deps.relay.consume(BOOKING_STOP_CHANGED, REALTIME_PROJECTOR, (event) => {
    send(projector.stopChanged(event.payload));
    return Promise.resolve();
  });
  deps.relay.consume(OFFER_CREATED, REALTIME_PROJECTOR, async (event) =>
    send(await projector.offerCreated(event.payload)),
  );
  deps.relay.consume(OFFER_REVOKED, REALTIME_PROJECTOR, (event) => {
    send(projector.offerRevoked(event.payload));
    return Promise.resolve();
  });
  return projector;
}
