import {
  ACTIVE_TRIP_STATUSES,
  BOOKING_STATUSES,
  customerMayCancel,
  isTerminalStatus,
  nextDriverStatus,
  type BookingStatus,
} from '@loadline/contracts';
import { errors } from '../../lib/errors';
import type { ActorRole } from '../events/booking-events';

interface Move {
  from: BookingStatus;
  to: BookingStatus;
  actors: readonly ActorRole[];
}

/**
 * The booking state machine, built from the contracts' status sequence: every
 * move, and who may make it. Anything not listed answers 422
 * invalid_transition.
 */
const MOVES: readonly Move[] = [
  { from: 'scheduled', to: 'searching', actors: ['system'] },
  // Accepting an offer; a driver may also release an assigned trip back to searching.
  { from: 'searching', to: 'driver_assigned', actors: ['driver'] },
  { from: 'driver_assigned', to: 'searching', actors: ['driver'] },
  { from: 'searching', to: 'expired', actors: ['system'] },
  // The driver's steps, each to the next in the contract's order.
  ...ACTIVE_TRIP_STATUSES.flatMap((from): Move[] => {
    const to = nextDriverStatus(from);
    return to === null ? [] : [{ from, to, actors: ['driver'] }];
  }),
  // Once the goods are on board only an admin may cancel.
  ...BOOKING_STATUSES.filter((from) => !isTerminalStatus(from)).map((from): Move => ({
    from,
    to: 'cancelled',
    actors: customerMayCancel(from) ? ['customer', 'admin'] : ['admin'],
  })),
];

export function canTransition(from: BookingStatus, to: BookingStatus, actor: ActorRole): boolean {
  return MOVES.some((move) => move.from === from && move.to === to && move.actors.includes(actor));
}

/** Throws 422 invalid_transition unless `actor` may move a booking from `from` to `to`. */
export function assertTransition(from: BookingStatus, to: BookingStatus, actor: ActorRole): void {
  if (!canTransition(from, to, actor)) {
    throw errors.invalidTransition(from, to);
  }
}

// The contracts' status facts, under the names the server has always used.
export { isTerminalStatus as isTerminal, nextDriverStatus } from '@loadline/contracts';

/** Every status reachable in one move, for property tests and documentation. */
export function transitionsFrom(from: BookingStatus): { to: BookingStatus; actors: readonly ActorRole[] }[] {
  return MOVES.filter((move) => move.from === from).map(({ to, actors }) => ({ to, actors }));
}
