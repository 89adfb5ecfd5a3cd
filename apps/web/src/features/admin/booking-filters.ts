import type { BookingStatus } from '@loadline/contracts';

/** A person the list is narrowed to: their ID for the API, their label for the chip. */
interface Person {
  id: string;
  label: string;
}

export interface BookingFilters {
  status: BookingStatus | '';
  customer: Person | null;
  driver: Person | null;
  ref: string;
}

export const NO_FILTERS: BookingFilters = { status: '', customer: null, driver: null, ref: '' };

/** The API query of the filters (empty ones left out). */
export function bookingQuery(filters: BookingFilters): {
  status?: BookingStatus;
  customerId?: string;
  driverId?: string;
  ref?: string;
} {
  const ref = filters.ref.trim();
  return {
    ...(filters.status === '' ? {} : { status: filters.status }),
    ...(filters.customer === null ? {} : { customerId: filters.customer.id }),
    ...(filters.driver === null ? {} : { driverId: filters.driver.id }),
    ...(ref === '' ? {} : { ref }),
  };
}

export function detailPath(bookingId: string): string {
  return `/admin/bookings/${bookingId}`;
}
