import { isId, type Booking } from '@loadline/contracts';

/** The booking form, filled in from an earlier booking (`Book again`), optionally set to schedule. */
export function againPath(bookingId: string, options: { schedule?: boolean } = {}): string {
  const query = new URLSearchParams({ again: bookingId });
  if (options.schedule === true) {
    query.set('schedule', '1');
  }
  return `/customer?${query.toString()}`;
}

/** What `againPath` asked for, read from a location's query; null when it names no booking. */
export function parseAgain(search: string): { bookingId: string; schedule: boolean } | null {
  const query = new URLSearchParams(search);
  const bookingId = query.get('again');
  if (bookingId === null || !isId(bookingId)) {
    return null;
  }
  return { bookingId, schedule: query.get('schedule') === '1' };
}

/** What a new booking takes from an earlier one: the trip (every stop), the vehicle, the goods and PINs; never its price. */
export type TripTemplate = Pick<Booking, 'pickup' | 'dropoff' | 'vehicleType' | 'goods'> &
  Partial<Pick<Booking, 'stops' | 'handoverPins'>>;
