import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, type BookingStatus } from '@loadline/contracts';
import type { ActorRole } from '../events/booking-events';
import { canTransition, isTerminal, nextDriverStatus, transitionsFrom } from './booking-state';

const ACTORS: ActorRole[] = ['customer', 'driver', 'admin', 'system'];
const status = fc.constantFrom(...BOOKING_STATUSES);
const actor = fc.constantFrom(...ACTORS);

/** Applies attempted moves the way the service does: illegal ones change nothing. */
function run(
  start: BookingStatus,
  moves: [BookingStatus, ActorRole][],
): { path: BookingStatus[]; actors: ActorRole[] } {
  const path: BookingStatus[] = [start];
  const actors: ActorRole[] = [];
  let current = start;
  for (const [to, who] of moves) {
    if (canTransition(current, to, who)) {
      current = to;
      path.push(to);
      actors.push(who);
    }
  }
  return { path, actors };
}

describe('booking state machine', () => {
  it('follows the contract for the happy path, driver by driver', () => {
    const steps: BookingStatus[] = ['driver_assigned'];
    let next = nextDriverStatus('driver_assigned');
    while (next !== null) {
      steps.push(next);
      next = nextDriverStatus(next);
    }
    expect(steps).toEqual([
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
      'delivered',
    ]);
  });

  it('lets customers cancel only until the goods are collected, admins until delivery', () => {
    const customerCancellable = BOOKING_STATUSES.filter((from) =>
      canTransition(from, 'cancelled', 'customer'),
    );
    expect(customerCancellable).toEqual([
      'scheduled',
      'searching',
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
    ]);
    const adminCancellable = BOOKING_STATUSES.filter((from) => canTransition(from, 'cancelled', 'admin'));
    expect(adminCancellable).toEqual([
      'scheduled',
      'searching',
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
    ]);
  });

  it('only the system expires or activates, only a driver accepts or releases', () => {
    expect(canTransition('searching', 'expired', 'system')).toBe(true);
    expect(canTransition('searching', 'expired', 'admin')).toBe(false);
    expect(canTransition('scheduled', 'searching', 'system')).toBe(true);
    expect(canTransition('scheduled', 'searching', 'customer')).toBe(false);
    expect(canTransition('searching', 'driver_assigned', 'driver')).toBe(true);
    expect(canTransition('searching', 'driver_assigned', 'admin')).toBe(false);
    expect(canTransition('driver_assigned', 'searching', 'driver')).toBe(true);
    expect(canTransition('en_route_to_pickup', 'searching', 'driver')).toBe(false);
  });

  it('allows exactly the moves the contract lists, each to its actors', () => {
    const legal = BOOKING_STATUSES.flatMap((from) =>
      BOOKING_STATUSES.flatMap((to) =>
        ACTORS.filter((who) => canTransition(from, to, who)).map((who) => `${from} -> ${to} by ${who}`),
      ),
    );
    expect(legal).toEqual([
      'scheduled -> searching by system',
      'scheduled -> cancelled by customer',
      'scheduled -> cancelled by admin',
      'searching -> driver_assigned by driver',
      'searching -> cancelled by customer',
      'searching -> cancelled by admin',
      'searching -> expired by system',
      'driver_assigned -> searching by driver',
      'driver_assigned -> en_route_to_pickup by driver',
      'driver_assigned -> cancelled by customer',
      'driver_assigned -> cancelled by admin',
      'en_route_to_pickup -> arrived_at_pickup by driver',
      'en_route_to_pickup -> cancelled by customer',
      'en_route_to_pickup -> cancelled by admin',
      'arrived_at_pickup -> goods_collected by driver',
      'arrived_at_pickup -> cancelled by customer',
      'arrived_at_pickup -> cancelled by admin',
      'goods_collected -> in_transit by driver',
      'goods_collected -> cancelled by admin',
      'in_transit -> delivered by driver',
      'in_transit -> cancelled by admin',
    ]);
  });

  it('terminal statuses have no way out', () => {
    for (const from of ['delivered', 'cancelled', 'expired'] as const) {
      expect(isTerminal(from)).toBe(true);
      expect(transitionsFrom(from)).toEqual([]);
    }
  });

  it('no sequence of attempted moves reaches an illegal state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BookingStatus>('scheduled', 'searching'),
        fc.array(fc.tuple(status, actor), { maxLength: 40 }),
        (start, moves) => {
          const { path, actors } = run(start, moves);
          for (let index = 1; index < path.length; index += 1) {
            const from = path[index - 1] as BookingStatus;
            const to = path[index] as BookingStatus;
            const who = actors[index - 1] as ActorRole;
            // Every step taken is one the table allows.
            expect(canTransition(from, to, who)).toBe(true);
            // Nothing leaves a terminal status.
            expect(isTerminal(from)).toBe(false);
            // Delivery only follows transit; collection only follows arrival.
            if (to === 'delivered') {
              expect(from).toBe('in_transit');
            }
            if (to === 'goods_collected') {
              expect(from).toBe('arrived_at_pickup');
            }
            // A customer never cancels goods that are on board.
            if (to === 'cancelled' && who === 'customer') {
              expect(['goods_collected', 'in_transit']).not.toContain(from);
            }
          }
          // Delivered means the goods were collected on the way.
          if (path.includes('delivered')) {
            expect(path).toContain('goods_collected');
            expect(path).toContain('in_transit');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
