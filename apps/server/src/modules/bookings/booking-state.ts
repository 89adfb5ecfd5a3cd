import type { BookingStatus } from '@loadline/contracts';
import { errors } from '../../lib/errors';
import type { ActorRole } from './booking-events';

/**
 * The booking state machine: for each status, the statuses it may move to and
 * who may move it there. Anything not listed answers 422 invalid_transition.
 */
const TRANSITIONS: Readonly<Record<BookingStatus, Partial<Record<BookingStatus, readonly ActorRole[]>>>> = {
  scheduled: { searching: ['system'], cancelled: ['customer', 'admin'] },
  searching: { driver_assigned: ['driver'], cancelled: ['customer', 'admin'], expired: ['system'] },
  // A driver may release an assigned job back to searching.
  driver_assigned: {
    en_route_to_pickup: ['driver'],
    searching: ['driver'],
    cancelled: ['customer', 'admin'],
  },
  en_route_to_pickup: { arrived_at_pickup: ['driver'], cancelled: ['customer', 'admin'] },
  arrived_at_pickup: { goods_collected: ['driver'], cancelled: ['customer', 'admin'] },
  // Once the goods are on board only an admin may cancel.
  goods_collected: { in_transit: ['driver'], cancelled: ['admin'] },
  in_transit: { delivered: ['driver'], cancelled: ['admin'] },
  delivered: {},
  cancelled: {},
  expired: {},
};

export const TERMINAL_STATUSES: readonly BookingStatus[] = ['delivered', 'cancelled', 'expired'];

/** The statuses a driver moves a job through, in order. */
const DRIVER_PROGRESSION: readonly BookingStatus[] = [
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
  'delivered',
];

export function canTransition(from: BookingStatus, to: BookingStatus, actor: ActorRole): boolean {
  return TRANSITIONS[from][to]?.includes(actor) ?? false;
}

/** Throws 422 invalid_transition unless `actor` may move a booking from `from` to `to`. */
export function assertTransition(from: BookingStatus, to: BookingStatus, actor: ActorRole): void {
  if (!canTransition(from, to, actor)) {
    throw errors.invalidTransition(from, to);
  }
}

export function isTerminal(status: BookingStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The status a driver's "next" button moves the job to, or null when there is none. */
export function nextDriverStatus(from: BookingStatus): BookingStatus | null {
  const index = DRIVER_PROGRESSION.indexOf(from);
  return index === -1 ? null : (DRIVER_PROGRESSION[index + 1] ?? null);
}

/** Every status reachable in one move, for property tests and documentation. */
export function transitionsFrom(from: BookingStatus): { to: BookingStatus; actors: readonly ActorRole[] }[] {
  return Object.entries(TRANSITIONS[from]).map(([to, actors]) => ({ to: to as BookingStatus, actors }));
}
