import type { EventBus } from '../platform/bus/event-bus.port';

/** Bus channel carrying socket deliveries to whichever process holds the sockets. */
export const REALTIME_CHANNEL = 'realtime';

/**
 * One server-to-client event for the sockets in `rooms` (`user:<id>`,
 * `driver:<id>`, `booking:<id>`, `admin`). Never addressed to every socket.
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
} as const;

/** Publishes a delivery; realtime processes forward it to their sockets. */
export async function deliver(bus: EventBus, delivery: Delivery): Promise<void> {
  await bus.publish(REALTIME_CHANNEL, delivery);
}
