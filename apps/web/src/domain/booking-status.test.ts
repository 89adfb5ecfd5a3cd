import { BOOKING_STATUSES } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import {
  driverHeadsFor,
  isActiveTrip,
  isTerminal,
  nextDriverStatus,
  STATUS_FLOW,
  statusLabel,
} from './booking-status';

describe('booking status facts', () => {
  it('the happy path runs from searching through the driver steps to delivered', () => {
    expect(STATUS_FLOW).toEqual([
      'searching',
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
      'delivered',
    ]);
  });

  it("the driver's next step follows the path and ends at delivered", () => {
    const next = Object.fromEntries(BOOKING_STATUSES.map((status) => [status, nextDriverStatus(status)]));
    expect(next).toEqual({
      scheduled: undefined,
      searching: undefined,
      driver_assigned: 'en_route_to_pickup',
      en_route_to_pickup: 'arrived_at_pickup',
      arrived_at_pickup: 'goods_collected',
      goods_collected: 'in_transit',
      in_transit: 'delivered',
      delivered: undefined,
      cancelled: undefined,
      expired: undefined,
    });
  });

  it('a driver heads for the pickup until the goods are collected, then for the drop-off', () => {
    expect(BOOKING_STATUSES.map((status) => [status, driverHeadsFor(status)])).toEqual([
      ['scheduled', null],
      ['searching', null],
      ['driver_assigned', 'pickup'],
      ['en_route_to_pickup', 'pickup'],
      ['arrived_at_pickup', 'pickup'],
      ['goods_collected', 'dropoff'],
      ['in_transit', 'dropoff'],
      ['delivered', null],
      ['cancelled', null],
      ['expired', null],
    ]);
  });

  it('active and terminal statuses', () => {
    expect(BOOKING_STATUSES.filter(isActiveTrip)).toEqual([
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
    ]);
    expect(BOOKING_STATUSES.filter(isTerminal)).toEqual(['delivered', 'cancelled', 'expired']);
  });

  it('every status has a label', () => {
    expect(statusLabel('searching')).toBe('Finding a driver');
    expect(statusLabel('en_route_to_pickup')).toBe('On the way to pickup');
    for (const status of BOOKING_STATUSES) {
      expect(statusLabel(status)).not.toBe('');
    }
  });
});
