import { useCallback, useEffect, useState } from 'react';
import type { Booking } from '@loadline/contracts';
import { api, errorMessage, query, type PageOf } from '../../api/client';
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
  const [items, setItems] = useState<Booking[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const load = useCallback(async (from: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<PageOf<Booking>>('GET', `/v1/bookings${query({ limit: 20, cursor: from })}`);
      setItems((current) => (from === null ? page.items : [...current, ...page.items]));
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <Card title="My bookings">
      {error !== null && <ErrorBanner message={error} onRetry={() => void load(loaded ? cursor : null)} />}
      {loaded && items.length === 0 && <Empty>No bookings yet.</Empty>}
      <ul className="list" data-testid="booking-history">
        {items.map((booking) => (
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
      {loading && <Spinner />}
      {!loading && cursor !== null && (
        <button type="button" className="btn btn--ghost btn--block" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </Card>
  );
}
