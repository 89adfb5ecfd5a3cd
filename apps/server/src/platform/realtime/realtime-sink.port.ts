import type { ServerToClientEvents } from '@loadline/contracts';

/**
 * One server-to-client event for the sockets in `rooms` (`user:<id>`,
 * `driver:<id>`, `booking:<id>`, `admin`, `fleet`). Never addressed to every socket.
 * A booking room's public events (`PUBLIC_BOOKING_EVENTS`) also reach its `track:<id>` room.
 */
export type Delivery<E extends ServerEvent = ServerEvent> = {
  [Name in E]: { rooms: string[]; event: Name; data: EventData<Name> };
}[E];

/** The payload the contract gives a server-to-client event. */
export type EventData<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

/** The contract's server-to-client event names. */
export type ServerEvent = keyof ServerToClientEvents;

export const rooms = {
  user: (id: string) => `user:${id}`,
  driver: (id: string) => `driver:${id}`,
  booking: (id: string) => `booking:${id}`,
  /** Share-link sockets following a booking: only its public events reach them. */
  track: (bookingId: string) => `track:${bookingId}`,
  /** The sockets opened with one share link, closed together when it is revoked. */
  share: (tokenHash: string) => `share:${tokenHash}`,
  admin: 'admin',
  fleet: 'fleet',
} as const;

const BOOKING_ROOM_PREFIX = rooms.booking('');

/** What a share link's holder may receive about its booking; every other event stays with its users. */
export const PUBLIC_BOOKING_EVENTS: ReadonlySet<ServerEvent> = new Set([
  'driverLocation',
  'bookingStatusUpdated',
  'etaUpdated',
]);

/** The booking a `booking:<id>` room is about, or null for any other room. */
export function bookingOfRoom(room: string): string | null {
  return room.startsWith(BOOKING_ROOM_PREFIX) ? room.slice(BOOKING_ROOM_PREFIX.length) : null;
}

/**
 * Where the server's socket events go (the port; `realtime/deliveries.ts` is
 * its Socket.IO adapter, `RecordingSink` its in-memory one). Modules deliver
 * through it and never import the gateway.
 */
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
  /** Closes the sockets opened with a share link, on every instance, once it is revoked. */
  closeShare(tokenHash: string): void;
}

/** Records deliveries in memory: for tests and for processes that only need to observe. */
export class RecordingSink implements RealtimeSink {
  readonly delivered: Delivery[] = [];
  readonly revoked: { userId: string; bookingId: string }[] = [];
  readonly closedShares: string[] = [];

  deliver(delivery: Delivery): void {
    this.delivered.push(delivery);
  }

  revokeBooking(userId: string, bookingId: string): void {
    this.revoked.push({ userId, bookingId });
  }

  closeShare(tokenHash: string): void {
    this.closedShares.push(tokenHash);
  }

  disconnectUser(): Promise<void> {
    return Promise.resolve();
  }
}
