import type { Delivery, EventData, RealtimeSink, ServerEvent } from '../platform/realtime/realtime-sink.port';
import { bookingOfRoom, PUBLIC_BOOKING_EVENTS, rooms } from '../platform/realtime/realtime-sink.port';
import type { LoadlineServer } from './socket-server';

type Audience = ReturnType<LoadlineServer['to']>;

/**
 * One typed emit per contract event: indexing this table with a delivery's
 * event gives the emit for exactly that event's payload, so no cast is needed.
 */
const emitters: { [E in ServerEvent]: (audience: Audience, data: EventData<E>) => void } = {
  bookingOffer: (audience, data) => audience.emit('bookingOffer', data),
  offerRevoked: (audience, data) => audience.emit('offerRevoked', data),
  driverConfirmed: (audience, data) => audience.emit('driverConfirmed', data),
  bookingStatusUpdated: (audience, data) => audience.emit('bookingStatusUpdated', data),
  driverLocation: (audience, data) => audience.emit('driverLocation', data),
  notification: (audience, data) => audience.emit('notification', data),
  fleetUpdate: (audience, data) => audience.emit('fleetUpdate', data),
  metrics: (audience, data) => audience.emit('metrics', data),
  generationProgress: (audience, data) => audience.emit('generationProgress', data),
  etaUpdated: (audience, data) => audience.emit('etaUpdated', data),
  stopArrived: (audience, data) => audience.emit('stopArrived', data),
  stopCompleted: (audience, data) => audience.emit('stopCompleted', data),
  stopFailed: (audience, data) => audience.emit('stopFailed', data),
};

/** The delivery's rooms, plus the public `track:<id>` room of each booking room when the event is a public one. */
function audienceOf(event: ServerEvent, to: string[]): string[] {
  if (!PUBLIC_BOOKING_EVENTS.has(event)) {
    return to;
  }
  const tracked = to.flatMap((room) => {
    const bookingId = bookingOfRoom(room);
    return bookingId === null ? [] : [rooms.track(bookingId)];
  });
  return tracked.length === 0 ? to : [...to, ...tracked];
}

/**
 * Emits through this process's Socket.IO server: its adapter carries the event
 * to every instance holding a socket in those rooms (and keeps it for
 * connection state recovery).
 */
export class SocketSink implements RealtimeSink {
  constructor(private readonly io: LoadlineServer) {}

  deliver<E extends ServerEvent>(delivery: Delivery<E>): void {
    if (delivery.rooms.length === 0) {
      return;
    }
    emitters[delivery.event](this.io.to(audienceOf(delivery.event, delivery.rooms)), delivery.data);
  }

  revokeBooking(userId: string, bookingId: string): void {
    // The adapter carries the leave to every instance, in order with the broadcasts around it.
    this.io.in(rooms.user(userId)).socketsLeave(rooms.booking(bookingId));
  }

  closeShare(tokenHash: string): void {
    // Through the adapter, so the sockets close on whichever instance holds them.
    this.io.in(rooms.share(tokenHash)).disconnectSockets(true);
  }

  async disconnectUser(userId: string, tokenHash?: string): Promise<void> {
    if (tokenHash === undefined) {
      this.io.in(rooms.user(userId)).disconnectSockets(true);
      return;
    }
    for (const socket of await this.io.in(rooms.user(userId)).fetchSockets()) {
      if (socket.data.share === undefined && socket.data.tokenHash === tokenHash) {
        socket.disconnect(true);
      }
    }
  }
}
