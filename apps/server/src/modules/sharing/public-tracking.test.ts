import { describe, expect, it } from 'vitest';
import type { BookingStatus } from '@loadline/contracts';
import { firstNameOf, LINK_AFTER_END_MS, linkExpiry, stopsOf } from './public-tracking';
import type { SharedBookingRow } from './sharing.repository';

function booking(status: BookingStatus, times: Partial<SharedBookingRow> = {}): SharedBookingRow {
  return {
    status,
    vehicle_type: 'van',
    driver_id: null,
    pickup_lat: 0,
    pickup_lng: 0,
    dropoff_lat: 1,
    dropoff_lng: 1,
    delivered_at: null,
    cancelled_at: null,
    updated_at: 5_000,
    ...times,
  };
}

describe('public tracking', () => {
  it('a v1 booking has one stop, its drop-off, whose status follows the booking', () => {
    const expected: [BookingStatus, string][] = [
      ['searching', 'pending'],
      ['driver_assigned', 'pending'],
      ['arrived_at_pickup', 'pending'],
      ['goods_collected', 'pending'],
      ['in_transit', 'pending'],
      ['delivered', 'delivered'],
      ['cancelled', 'pending'],
      ['expired', 'pending'],
    ];
    for (const [status, stop] of expected) {
      expect(stopsOf(booking(status))).toEqual([{ seq: 1, status: stop }]);
    }
  });

  it('a link lives to its maximum while the booking runs, and an hour past its end if that is sooner', () => {
    const max = 10 * LINK_AFTER_END_MS;
    expect(linkExpiry(max, booking('in_transit'))).toBe(max);
    expect(linkExpiry(max, booking('delivered', { delivered_at: 1_000 }))).toBe(1_000 + LINK_AFTER_END_MS);
    expect(linkExpiry(max, booking('cancelled', { cancelled_at: 2_000 }))).toBe(2_000 + LINK_AFTER_END_MS);
    expect(linkExpiry(max, booking('expired'))).toBe(5_000 + LINK_AFTER_END_MS);
    expect(linkExpiry(3_000, booking('delivered', { delivered_at: 1_000 }))).toBe(3_000);
  });

  it("shows only the driver's first name", () => {
    expect(firstNameOf('  Suresh Babu Rao ')).toBe('Suresh');
    expect(firstNameOf('Madonna')).toBe('Madonna');
  });
});
