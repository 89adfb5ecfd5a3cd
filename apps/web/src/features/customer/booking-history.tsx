import { bookingRefOf, type Booking } from '@loadline/contracts';
import { api } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import {
  Card,
  Empty,
  ErrorBanner,
  formatLatLng,
  formatMoney,
  formatTime,
  Spinner,
  StatusPill,
} from '../../components/ui';
import { isTerminal } from '../../domain/booking-status';
import { vehicleLabel } from '../../domain/vehicles';
import { navigate } from '../../router';
import { FinishedActions } from './finished-actions';
import { RateTrip } from './rate-trip';

const fetchBookings = (page: PageRequest) => api('bookings.list', { query: page });

/** The customer's bookings, newest first, with cursor paging. */
export function BookingHistory() {
  const list = usePagedList(fetchBookings);
  const { setItems } = list;
  const replace = (updated: Booking) =>
    setItems((current) => current.map((b) => (b.id === updated.id ? updated : b)));

  return (
    <Card title="My bookings">
      {list.error !== null && <ErrorBanner message={list.error} onRetry={list.retry} />}
      {list.loaded && list.items.length === 0 && <Empty>No bookings yet.</Empty>}
      <ul className="list" data-testid="booking-history">
        {list.items.map((booking) => (
          <li
            key={booking.id}
            className="history-item"
            data-testid="history-item"
            data-booking-id={booking.id}
            data-ref={bookingRefOf(booking)}
          >
            <button
              type="button"
              className="list__item list__item--button"
              onClick={() => navigate(`/customer/bookings/${booking.id}`)}
            >
              <span className="list__main">
                <strong>
                  {vehicleLabel(booking.vehicleType)} · {booking.distanceKm.toFixed(1)} km
                </strong>
                {(booking.pickup.address !== undefined || booking.dropoff.address !== undefined) && (
                  <small className="list__route">
                    {booking.pickup.address ?? formatLatLng(booking.pickup)} →{' '}
                    {booking.dropoff.address ?? formatLatLng(booking.dropoff)}
                  </small>
                )}
                <small>
                  <span className="mono">{bookingRefOf(booking)}</span> · {formatTime(booking.createdAt)}
                  {booking.goods !== null && ` · ${booking.goods.weightKg.toLocaleString()} kg`}
                </small>
              </span>
              <span className="row list__side">
                <span>{formatMoney(booking.price)}</span>
                <StatusPill status={booking.status} />
              </span>
            </button>
            {isTerminal(booking.status) && (
              <div className="history-item__actions">
                {booking.status === 'delivered' && (
                  <RateTrip booking={booking} onRated={replace} variant="compact" />
                )}
                <span className="row row--tight history-item__links">
                  <FinishedActions
                    booking={booking}
                    small
                    testIds={{ receipt: 'history-receipt', again: 'history-book-again' }}
                  />
                </span>
              </div>
            )}
          </li>
        ))}
      </ul>
      {list.loading && <Spinner />}
      {!list.loading && list.cursor !== null && (
        <button type="button" className="btn btn--ghost btn--block" onClick={list.more}>
          Load more
        </button>
      )}
    </Card>
  );
}
