import { describe, expect, it } from 'vitest';
import { bookingQuery, detailPath, NO_FILTERS } from './booking-filters';

describe('admin booking filters', () => {
  it('asks for nothing without filters', () => {
    expect(bookingQuery(NO_FILTERS)).toEqual({});
    expect(bookingQuery({ ...NO_FILTERS, ref: '   ' })).toEqual({});
  });

  it('asks by status, customer, driver and the reference as typed (trimmed)', () => {
    expect(
      bookingQuery({
        status: 'expired',
        customer: { id: '11', label: 'Asha' },
        driver: { id: '22', label: 'Ravi · …0022' },
        ref: '  ll-7k2q9mx ',
      }),
    ).toEqual({ status: 'expired', customerId: '11', driverId: '22', ref: 'll-7k2q9mx' });
  });

  it('opens a booking at its own address', () => {
    expect(detailPath('386581341617207296')).toBe('/admin/bookings/386581341617207296');
  });
});
