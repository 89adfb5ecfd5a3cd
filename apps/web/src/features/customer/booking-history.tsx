import type { Booking } from '@loadline/contracts';
import { usePagedList } from '../../api/use-paged-list';
import {
  Card,
  Empty,
  ErrorBanner,
  formatMoney,
  formatTime,
  Spinner,
  StatusPill,
  vehicleLabel,
} from '../../components/ui';
import { navigate } from '../../router';

/** The customer's bookings, newest first, with cursor paging. */
export function BookingHistory() {
  const list = usePagedList<Booking>('/v1/bookings');

  return (
    <Card title="My bookings">
      {list.error !== null && <ErrorBanner message={list.error} onRetry={list.retry} />}
      {list.loaded && list.items.length === 0 && <Empty>No bookings yet.</Empty>}
      <ul className="list" data-testid="booking-history">
        {list.items.map((booking) => (
          <li key={booking.id}>
            <button
              type="button"
              className="list__item list__item--button"
              onClick={() => navigate(`/customer/bookings/${booking.id}`)}
            >
              <span className="list__main">
                <strong>
                  {vehicleLabel(booking.vehicleType)} · {booking.distanceKm.toFixed(1)} km
                </strong>
                <small>
                  {formatTime(booking.createdAt)} · #{booking.id}
                </small>
              </span>
              <span className="row">
                <span>{formatMoney(booking.price)}</span>
                <StatusPill status={booking.status} />
              </span>
            </button>
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
