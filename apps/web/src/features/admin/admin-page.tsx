import { useCallback, useEffect, useState } from 'react';
import type { Overview } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { useActiveTabInView } from '../../components/tabs';
import { ErrorBanner, Spinner } from '../../components/ui';
import { Link, usePath } from '../../router';
import { AnalyticsPanel } from './analytics-panel';
import { BookingDetail } from './booking-detail';
import { BookingsTable } from './bookings-table';
import { DriversTable } from './drivers-table';
import { FleetPanel } from './fleet-map';
import { count, minutes, pct } from './format';
import { GeneratePanel } from './generate-panel';
import { UsersTable } from './users-table';
import { VehiclesTable } from './vehicles-table';

/** The dashboard: live KPIs, analytics over a date range, the fleet on a canvas map, drivers and bookings. */
function Dashboard() {
  const { socket } = useSocket();
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tablesKey, setTablesKey] = useState(0);

  const load = useCallback(async () => {
    setError(null);
    try {
      setOverview(await api('admin.overview'));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (socket === null) {
      return;
    }
    const onMetrics = (event: Overview) => {
      setOverview(event);
      // The figures moved, so the lists below did too (at most once a second, the metrics cadence).
      setTablesKey((key) => key + 1);
    };
    socket.on('metrics', onMetrics);
    return () => {
      socket.off('metrics', onMetrics);
    };
  }, [socket]);

  const tiles: [keyof Overview, string, string][] =
    overview === null
      ? []
      : [
          ['onlineDrivers', 'Online drivers', String(overview.onlineDrivers)],
          ['activeBookings', 'Active bookings', String(overview.activeBookings)],
          ['searchingBookings', 'Searching', String(overview.searchingBookings)],
          ['completedToday', 'Completed today', String(overview.completedToday)],
          ['expiredToday', 'Expired today', count(overview.expiredToday)],
          ['avgTripMinutes', 'Avg trip', minutes(overview.avgTripMinutes)],
          ['avgPickupWaitMinutes', 'Avg pickup wait', minutes(overview.avgPickupWaitMinutes)],
          ['acceptanceRate', 'Acceptance', pct(overview.acceptanceRate)],
          ['cancellationRate', 'Cancellation', pct(overview.cancellationRate)],
          ['expiredRate', 'Expired share', pct(overview.expiredRate)],
        ];
  // Unfilled demand stands out once it is more than the odd booking.
  const alert = (key: keyof Overview) =>
    (key === 'expiredToday' || key === 'expiredRate') && (overview?.expiredRate ?? 0) >= 0.1;

  return (
    <>
      {error !== null && <ErrorBanner message={error} onRetry={() => void load()} />}
      {overview === null && error === null ? (
        <Spinner label="Loading overview…" />
      ) : (
        <div className="kpis kpis--overview" data-testid="kpis">
          {tiles.map(([key, label, value]) => (
            <div
              className={alert(key) ? 'kpi kpi--alert' : 'kpi'}
              key={key}
              data-testid={`kpi-${key}`}
              data-value={overview?.[key] ?? ''}
            >
              <div className="kpi__label">{label}</div>
              <div className="kpi__value">{value}</div>
            </div>
          ))}
        </div>
      )}
      <FleetPanel />
      <AnalyticsPanel completedToday={overview?.completedToday ?? null} />
      <DriversTable refreshKey={tablesKey} />
      <BookingsTable refreshKey={tablesKey} title="Recent bookings" />
    </>
  );
}

const TABS = [
  { href: '/admin', label: 'Dashboard', testId: 'admin-tab-dashboard' },
  { href: '/admin/bookings', label: 'Bookings', testId: 'admin-tab-bookings' },
  { href: '/admin/users', label: 'Users', testId: 'admin-tab-users' },
  { href: '/admin/vehicles', label: 'Vehicles', testId: 'admin-tab-vehicles' },
  { href: '/admin/generate', label: 'Generate data', testId: 'admin-tab-generate' },
] as const;

/**
 * Admin area: /admin (dashboard), /admin/bookings (and /admin/bookings/:id, one
 * booking), /admin/users, /admin/vehicles, /admin/generate.
 */
export function AdminPage() {
  const path = usePath().replace(/\/+$/, '');
  const opened = /^\/admin\/bookings\/(\d+)$/.exec(path)?.[1];
  const current =
    TABS.find((tab) => tab.href === path) ??
    (opened === undefined ? TABS[0] : TABS.find((tab) => tab.href === '/admin/bookings')) ??
    TABS[0];
  const tabs = useActiveTabInView<HTMLElement>(path);
  return (
    <div className="page">
      <nav className="tabs" aria-label="Admin" ref={tabs}>
        {TABS.map((tab) => (
          <Link
            key={tab.href}
            href={tab.href}
            className={tab === current ? 'tab is-active' : 'tab'}
            aria-current={tab === current ? 'page' : undefined}
            data-testid={tab.testId}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
      {opened !== undefined ? (
        <BookingDetail key={opened} bookingId={opened} />
      ) : current.href === '/admin/bookings' ? (
        <BookingsTable refreshKey={0} title="Bookings" />
      ) : current.href === '/admin/users' ? (
        <UsersTable />
      ) : current.href === '/admin/vehicles' ? (
        <VehiclesTable />
      ) : current.href === '/admin/generate' ? (
        <GeneratePanel />
      ) : (
        <Dashboard />
      )}
    </div>
  );
}
