import { describe, expect, it } from 'vitest';
import type { BookingStatus } from '@loadline/contracts';
import { transitionsFrom } from '../bookings/booking-state';
import { ON_THE_TRIP } from './booking-lifecycle.consumer';

function reachableFrom(start: BookingStatus): Set<BookingStatus> {
  const seen = new Set<BookingStatus>();
  const queue: BookingStatus[] = [start];
  for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
    for (const { to } of transitionsFrom(status)) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

describe('the lifecycle consumer skips the booking read on an assigned trip', () => {
  it('only for statuses from which no move by anyone leads back to searching', () => {
    for (const status of ON_THE_TRIP) {
      expect(reachableFrom(status).has('searching'), status).toBe(false);
    }
    // The release is why `driver_assigned` is not among them.
    expect(ON_THE_TRIP.has('driver_assigned')).toBe(false);
    expect(reachableFrom('driver_assigned').has('searching')).toBe(true);
  });
});
