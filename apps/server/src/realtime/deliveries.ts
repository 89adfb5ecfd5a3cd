import type { LoadlineServer } from './socket-server';

/**
 * One server-to-client event for the sockets in `rooms` (`user:<id>`,
 * `driver:<id>`, `booking:<id>`, `admin`, `fleet`). Never addressed to every socket.
 */
export interface Delivery {
  rooms: string[];
  event: string;
  data: unknown;
}

export const rooms = {
  user: (id: string) => `user:${id}`,
  driver: (id: string) => `driver:${id}`,
  booking: (id: string) => `booking:${id}`,
  admin: 'admin',
  fleet: 'fleet',
} as const;

const BOOKING_ROOM_PREFIX = rooms.booking('');

/** The booking a `booking:<id>` room is about, or null for any other room. */
export function bookingOfRoom(room: string): string | null {
  return room.startsWith(BOOKING_ROOM_PREFIX) ? room.slice(BOOKING_ROOM_PREFIX.length) : null;
}

/** Where the server's socket events go; the projector and the live-location path write here. */
export interface RealtimeSink {
  deliver(delivery: Delivery): void;
  /**
   * Closes a user's open sockets, on every instance: all of them (suspension)
   * or only those opened with one session (logout).
   */
  disconnectUser(userId: string, tokenHash?: string): Promise<void>;
  /**
   * Takes a user's open sockets out of a booking's room, on every instance,
   * once the user may no longer read the booking (a driver who released it).
   * Idempotent.
   */
  revokeBooking(userId: string, bookingId: string): void;
}

/**
 * Emits through this process's Socket.IO server: its adapter carries the event
 * to every instance holding a socket in those rooms (and keeps it for
 * connection state recovery).
 */
export class SocketSink implements RealtimeSink {
  constructor(private readonly io: LoadlineServer) {}

  deliver(delivery: Delivery): void {
    if (delivery.rooms.length === 0) {
      return;
    }
    // The event name comes from the server's own projector, never from a client.
    this.io.to(delivery.rooms).emit(delivery.event as 'notification', delivery.data as never);
  }

  revokeBooking(userId: string, bookingId: string): void {
    // The adapter carries the leave to every instance, in order with the broadcasts around it.
    this.io.in(rooms.user(userId)).socketsLeave(rooms.booking(bookingId));
  }

  async disconnectUser(userId: string, tokenHash?: string): Promise<void> {
    if (tokenHash === undefined) {
      this.io.in(rooms.user(userId)).disconnectSockets(true);
      return;
    }
    for (const socket of await this.io.in(rooms.user(userId)).fetchSockets()) {
      if (socket.data.tokenHash === tokenHash) {
        socket.disconnect(true);
      }
    }
  }
}

/** Records deliveries in memory: for tests and for processes that only need to observe. */
export class RecordingSink implements RealtimeSink {
  readonly delivered: Delivery[] = [];
  readonly revoked: { userId: string; bookingId: string }[] = [];

  deliver(delivery: Delivery): void {
    this.delivered.push(delivery);
  }

  revokeBooking(userId: string, bookingId: string): void {
    this.revoked.push({ userId, bookingId });
  }

  disconnectUser(): Promise<void> {
    return Promise.resolve();
  }
}
