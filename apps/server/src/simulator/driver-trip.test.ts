import { describe, expect, it } from 'vitest';
import type { BookingStatus, StopStatus } from '@loadline/contracts';
import { standingPoint, type Trip } from './driver-trip';

const PICKUP = { lat: 12.97, lng: 77.59 };
const FIRST = { lat: 12.99, lng: 77.6 };
const SECOND = { lat: 13.01, lng: 77.62 };

function trip(status: BookingStatus, stops: StopStatus[] = ['pending']): Trip {
  const locations = [FIRST, SECOND];
  return {
    bookingId: '1',
    status,
    pickup: PICKUP,
    dropoff: SECOND,
    customerId: '2',
    handoverPins: true,
    stops: stops.map((stopStatus, index) => ({
      seq: index + 1,
      location: locations[index] ?? SECOND,
      status: stopStatus,
      recipientName: null,
    })),
    scope: new AbortController(),
  };
}

describe('where the driver of a trip picked up again stands', () => {
  it('at the pickup from arriving there until setting off', () => {
    expect(standingPoint(trip('arrived_at_pickup'))).toEqual(PICKUP);
    expect(standingPoint(trip('goods_collected'))).toEqual(PICKUP);
  });

  it('at the drop-off it arrived at, the first one still open', () => {
    expect(standingPoint(trip('in_transit', ['delivered', 'arrived']))).toEqual(SECOND);
    expect(standingPoint(trip('in_transit', ['arrived', 'pending']))).toEqual(FIRST);
  });

  it('nowhere in particular while the next step drives first', () => {
    expect(standingPoint(trip('driver_assigned'))).toBeNull();
    expect(standingPoint(trip('en_route_to_pickup'))).toBeNull();
    expect(standingPoint(trip('in_transit', ['pending']))).toBeNull();
    expect(standingPoint(trip('in_transit', ['failed', 'pending']))).toBeNull();
  });
});
