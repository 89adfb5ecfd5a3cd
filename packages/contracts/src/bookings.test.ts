import { describe, expect, it } from 'vitest';
import {
  ACTIVE_TRIP_STATUSES,
  BOOKING_STATUSES,
  DRIVER_STEPS,
  TERMINAL_STATUSES,
  customerMayCancel,
  isActiveTripStatus,
  isTerminalStatus,
  nextDriverStatus,
  type BookingStatus,
} from './bookings';

describe('booking status facts', () => {
  it("walks the driver's steps in the contract's order, from accepting to delivered", () => {
    expect(Object.fromEntries(BOOKING_STATUSES.map((status) => [status, nextDriverStatus(status)]))).toEqual({
      scheduled: null,
      searching: null,
      driver_assigned: 'en_route_to_pickup',
      en_route_to_pickup: 'arrived_at_pickup',
      arrived_at_pickup: 'goods_collected',
      goods_collected: 'in_transit',
      in_transit: 'delivered',
      delivered: null,
      cancelled: null,
      expired: null,
    });
    const walked: (BookingStatus | null)[] = ['driver_assigned'];
    for (let step = nextDriverStatus('driver_assigned'); step !== null; step = nextDriverStatus(step)) {
      walked.push(step);
    }
    expect(walked).toEqual([...DRIVER_STEPS]);
  });

  it('knows which statuses have a driver on a trip and which end the booking', () => {
    expect(BOOKING_STATUSES.filter(isActiveTripStatus)).toEqual([...ACTIVE_TRIP_STATUSES]);
    expect(BOOKING_STATUSES.filter(isTerminalStatus)).toEqual([...TERMINAL_STATUSES]);
    expect(TERMINAL_STATUSES).toEqual(['delivered', 'cancelled', 'expired']);
  });

  it('lets a customer cancel until the goods are collected, never after the booking ended', () => {
    expect(BOOKING_STATUSES.filter(customerMayCancel)).toEqual([
      'scheduled',
      'searching',
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
    ]);
  });
});
