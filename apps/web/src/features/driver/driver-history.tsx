import { useCallback, useEffect, useState } from 'react';
import { bookingRefOf, type DriverStats } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { Card, Empty, ErrorBanner, formatMoney, formatTime, Spinner, StatusPill } from '../../components/ui';

const fetchTrips = (page: PageRequest) => api('driver.trips', { query: page });

function StatsTiles({ stats }: { stats: DriverStats }) {
  return (
    <div className="kpis driver-stats" data-testid="driver-stats">
      <div className="kpi">
        <div className="kpi__label">Trips</div>
        <div className="kpi__value">{stats.trips}</div>
      </div>
      <div className="kpi">
        <div className="kpi__label">Earnings</div>
        <div className="kpi__value">{formatMoney(stats.earnings)}</div>
      </div>
      <div className="kpi">
        <div className="kpi__label">Acceptance</div>
        <div className="kpi__value">
          {stats.acceptanceRate === null ? '—' : `${Math.round(stats.acceptanceRate * 100)}%`}
        </div>
      </div>
      <div className="kpi">
        <div className="kpi__label">Rating</div>
        <div className="kpi__value">{stats.rating === null ? '—' : stats.rating.toFixed(1)}</div>
      </div>
    </div>
  );
}

/**
 * The driver's stats and past trips; both reload when `refreshKey` changes (a trip ended).
 * `emptyHint` follows "No trips yet." and fits the shift (offline, waiting for offers, on a trip).
 */
export function DriverHistory({ refreshKey, emptyHint }: { refreshKey: number; emptyHint: string }) {
  const [stats, setStats] = useState<DriverStats | null>(null);
  const [statsError, setStatsError] = useState<string | null>(null);
  const list = usePagedList(fetchTrips, 10);
  const { reload } = list;

  const loadStats = useCallback(async () => {
    setStatsError(null);
    try {
      setStats(await api('driver.stats'));
    } catch (caught) {
      setStatsError(errorMessage(caught));
    }
  }, []);

  useEffect(() => {
    void loadStats();
  }, [loadStats, refreshKey]);

  // The trip list loads itself on mount; later refreshes reload it with the stats.
  useEffect(() => {
    if (refreshKey > 0) {
      reload();
    }
  }, [refreshKey, reload]);

  const error = list.error ?? statsError;
  const trips = list.items;
  const loading = list.loading;

  return (
    <Card title="Your trips">
      {error !== null && (
        <ErrorBanner
          message={error}
          onRetry={() => {
            void loadStats();
            list.reload();
          }}
        />
      )}
      {stats !== null && <StatsTiles stats={stats} />}
      {!loading && trips.length === 0 && error === null && (
        <Empty>{`No trips yet. ${emptyHint}`.trim()}</Empty>
      )}
      <ul className="list" data-testid="trip-history">
        {trips.map((trip) => (
          <li key={trip.bookingId} className="list__item">
            <span className="list__main">
              <strong>
                {formatMoney(trip.price)} · {trip.distanceKm.toFixed(1)} km
              </strong>
              <small>
                {formatTime(trip.assignedAt)} ·{' '}
                <span className="mono">{bookingRefOf({ id: trip.bookingId, ref: trip.bookingRef })}</span>
              </small>
            </span>
            <StatusPill status={trip.status} />
          </li>
        ))}
      </ul>
      {loading && <Spinner />}
      {!loading && list.cursor !== null && (
        <button type="button" className="btn btn--ghost btn--block" onClick={list.more}>
          Load more
        </button>
      )}
    </Card>
  );
}
