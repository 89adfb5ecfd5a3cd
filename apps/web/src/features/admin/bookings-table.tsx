import { useCallback, useEffect, useMemo, useState, type MouseEvent } from 'react';
import { bookingRefOf, BOOKING_STATUSES, type AdminBooking } from '@loadline/contracts';
import { api } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { formatLatLng, formatMoney, formatTime, StatusPill } from '../../components/ui';
import { statusLabel } from '../../domain/booking-status';
import { vehicleLabel } from '../../domain/vehicles';
import { Link, navigate } from '../../router';
import { bookingQuery, detailPath, NO_FILTERS, type BookingFilters } from './booking-filters';
import { nameLabels } from './names';

function Chip({ label, onClear, testId }: { label: string; onClear: () => void; testId: string }) {
  return (
    <span className="filter-chip" data-testid={testId}>
      {label}
      <button type="button" onClick={onClear} aria-label={`Remove filter ${label}`}>
        ×
      </button>
    </span>
  );
}

/**
 * Bookings across every shard with customer, driver and route; filtered by
 * status, a reference, or a customer or driver (a click on a name narrows the
 * list to them). A row opens the booking's detail.
 */
export function BookingsTable({ refreshKey, title }: { refreshKey: number; title: string }) {
  const [filters, setFilters] = useState<BookingFilters>(NO_FILTERS);
  const [refInput, setRefInput] = useState('');
  const fetchBookings = useCallback(
    (page: PageRequest) => api('admin.bookings', { query: { ...page, ...bookingQuery(filters) } }),
    [filters],
  );
  const list = usePagedList(fetchBookings);
  const { refreshIfFirstPage } = list;
  const filtered = Object.keys(bookingQuery(filters)).length > 0;

  useEffect(() => {
    if (refreshKey > 0) {
      refreshIfFirstPage();
    }
  }, [refreshKey, refreshIfFirstPage]);

  // Namesakes on this page are told apart by the end of their IDs.
  const labels = useMemo(
    () =>
      nameLabels([
        ...list.items.map((b) => ({ id: b.customerId, name: b.customerName })),
        ...list.items.flatMap((b) =>
          b.driverId === null || b.driverName === null ? [] : [{ id: b.driverId, name: b.driverName }],
        ),
      ]),
    [list.items],
  );
  const label = (id: string, name: string) => labels.get(id) ?? name;

  const open = (event: MouseEvent<HTMLTableRowElement>, booking: AdminBooking) => {
    // Buttons and links in the row do their own thing.
    if (event.target instanceof Element && event.target.closest('a, button') !== null) {
      return;
    }
    navigate(detailPath(booking.id));
  };

  return (
    <PagedCard
      title={title}
      list={list}
      empty={filtered ? 'No booking matches these filters.' : 'No bookings yet.'}
      moreTestId="bookings-more"
      filters={
        <div className="filters">
          {filters.customer !== null && (
            <Chip
              label={`Customer: ${filters.customer.label}`}
              onClear={() => setFilters((current) => ({ ...current, customer: null }))}
              testId="filter-customer"
            />
          )}
          {filters.driver !== null && (
            <Chip
              label={`Driver: ${filters.driver.label}`}
              onClear={() => setFilters((current) => ({ ...current, driver: null }))}
              testId="filter-driver"
            />
          )}
          <form
            className="inline-field"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setFilters((current) => ({ ...current, ref: refInput }));
            }}
          >
            <label htmlFor="bookings-ref">Reference</label>
            <input
              id="bookings-ref"
              type="search"
              placeholder="LL-…, Enter"
              value={refInput}
              onChange={(event) => {
                setRefInput(event.target.value);
                if (event.target.value === '') {
                  setFilters((current) => ({ ...current, ref: '' }));
                }
              }}
              data-testid="bookings-ref"
            />
          </form>
          <label className="inline-field">
            <span>Status</span>
            <select
              value={filters.status}
              onChange={(event) => {
                const status = BOOKING_STATUSES.find((value) => value === event.target.value) ?? '';
                setFilters((current) => ({ ...current, status }));
              }}
              data-testid="bookings-status"
            >
              <option value="">Any status</option>
              {BOOKING_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {statusLabel(status)}
                </option>
              ))}
            </select>
          </label>
        </div>
      }
    >
      <table className="table table--cards" data-testid="bookings-table">
        <thead>
          <tr>
            <th>Booking</th>
            <th>Customer</th>
            <th>Driver</th>
            <th>Route</th>
            <th>Status</th>
            <th className="num">Price</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((booking) => (
            <tr
              key={booking.id}
              className="is-link"
              onClick={(event) => open(event, booking)}
              data-testid="booking-row"
              data-booking-id={booking.id}
              data-status={booking.status}
            >
              <td data-label="Booking">
                <span>
                  <Link href={detailPath(booking.id)} className="mono" data-testid="booking-open">
                    {bookingRefOf(booking)}
                  </Link>
                  <small className="table__sub">
                    {vehicleLabel(booking.vehicleType)} · {formatTime(booking.createdAt)}
                  </small>
                </span>
              </td>
              <td data-label="Customer">
                <button
                  type="button"
                  className="link-button"
                  title="Show only this customer's bookings"
                  onClick={() =>
                    setFilters((current) => ({
                      ...current,
                      customer: {
                        id: booking.customerId,
                        label: label(booking.customerId, booking.customerName),
                      },
                    }))
                  }
                  data-testid="booking-customer"
                >
                  {label(booking.customerId, booking.customerName)}
                </button>
              </td>
              <td data-label="Driver">
                {booking.driverId === null || booking.driverName === null ? (
                  <span className="muted">—</span>
                ) : (
                  <button
                    type="button"
                    className="link-button"
                    title="Show only this driver's bookings"
                    onClick={() => {
                      const { driverId, driverName } = booking;
                      if (driverId !== null && driverName !== null) {
                        setFilters((current) => ({
                          ...current,
                          driver: { id: driverId, label: label(driverId, driverName) },
                        }));
                      }
                    }}
                    data-testid="booking-driver"
                  >
                    {label(booking.driverId, booking.driverName)}
                  </button>
                )}
              </td>
              <td data-label="Route" className="route-cell">
                <span>
                  <span>{booking.pickup.address ?? formatLatLng(booking.pickup)}</span>
                  <span className="muted">→ {booking.dropoff.address ?? formatLatLng(booking.dropoff)}</span>
                </span>
              </td>
              <td data-label="Status">
                <StatusPill status={booking.status} />
              </td>
              <td data-label="Price" className="num">
                {formatMoney(booking.price)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PagedCard>
  );
}
