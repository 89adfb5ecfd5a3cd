import { useCallback, useEffect, useState } from 'react';
import type { AdminDriver, Overview } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { ErrorBanner, formatMoney, formatTime, Spinner, StatusPill } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';
import { Link, usePath } from '../../router';
import { AnalyticsPanel } from './analytics-panel';
import { FleetPanel } from './fleet-map';
import { minutes, pct } from './format';
import { GeneratePanel } from './generate-panel';
import { UsersTable } from './users-table';
import { VehiclesTable } from './vehicles-table';

type DriverState = 'suspended' | 'busy' | 'online' | 'offline';
function driverState(driver: AdminDriver): DriverState {
  return driver.suspended ? 'suspended' : driver.busy ? 'busy' : driver.online ? 'online' : 'offline';
}

const fetchDrivers = (page: PageRequest) => api('admin.drivers', { query: page });
const fetchBookings = (page: PageRequest) => api('admin.bookings', { query: page });

function DriversTable({ refreshKey }: { refreshKey: number }) {
  const list = usePagedList(fetchDrivers);
  const [pending, setPending] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { refreshIfFirstPage } = list;

  useEffect(() => {
    if (refreshKey > 0) {
      refreshIfFirstPage();
    }
  }, [refreshKey, refreshIfFirstPage]);

  const toggle = async (driver: AdminDriver) => {
    if (
      !driver.suspended &&
      !window.confirm(`Suspend ${driver.name}? They go offline and are signed out everywhere.`)
    ) {
      return;
    }
    setPending(driver.id);
    setActionError(null);
    try {
      const updated = await api('admin.setSuspended', {
        params: { id: driver.id },
        body: { suspended: !driver.suspended },
      });
      list.setItems((current) => current.map((d) => (d.id === updated.id ? updated : d)));
    } catch (caught) {
      setActionError(errorMessage(caught));
    } finally {
      setPending(null);
    }
  };

  return (
    <PagedCard
      title="Drivers"
      list={list}
      empty="No drivers have signed up yet."
      notice={actionError !== null && <ErrorBanner message={actionError} />}
      moreTestId="drivers-more"
    >
      <table className="table" data-testid="drivers-table">
        <thead>
          <tr>
            <th>Driver</th>
            <th>Vehicle</th>
            <th>Status</th>
            <th>Last position</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {list.items.map((driver) => {
            const state = driverState(driver);
            return (
              <tr key={driver.id} data-testid="driver-row" data-driver-id={driver.id} data-state={state}>
                <td>
                  <strong>{driver.name}</strong>
                  <small className="table__sub">{driver.email}</small>
                </td>
                <td>
                  {vehicleLabel(driver.vehicle.type)} <span className="mono">{driver.vehicle.plate}</span>
                </td>
                <td>
                  <span className={`state state--${state}`}>{state}</span>
                </td>
                <td className="muted">
                  {driver.lastLocation === null ? '—' : formatTime(driver.lastLocation.at)}
                </td>
                <td className="table__actions">
                  <button
                    type="button"
                    className={`btn btn--small ${driver.suspended ? 'btn--ghost' : 'btn--danger'}`}
                    disabled={pending === driver.id}
                    onClick={() => void toggle(driver)}
                    data-testid="suspend-toggle"
                  >
                    {driver.suspended ? 'Unsuspend' : 'Suspend'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </PagedCard>
  );
}

function BookingsTable({ refreshKey }: { refreshKey: number }) {
  const list = usePagedList(fetchBookings);
  const { refreshIfFirstPage } = list;

  useEffect(() => {
    if (refreshKey > 0) {
      refreshIfFirstPage();
    }
  }, [refreshKey, refreshIfFirstPage]);

  return (
    <PagedCard title="Recent bookings" list={list} empty="No bookings yet." moreTestId="bookings-more">
      <table className="table" data-testid="bookings-table">
        <thead>
          <tr>
            <th>Booking</th>
            <th>Status</th>
            <th>Vehicle</th>
            <th className="num">Distance</th>
            <th className="num">Price</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((booking) => (
            <tr
              key={booking.id}
              data-testid="booking-row"
              data-booking-id={booking.id}
              data-status={booking.status}
            >
              <td className="mono">#{booking.id}</td>
              <td>
                <StatusPill status={booking.status} />
              </td>
              <td>{vehicleLabel(booking.vehicleType)}</td>
              <td className="num">{booking.distanceKm.toFixed(1)} km</td>
              <td className="num">{formatMoney(booking.price)}</td>
              <td className="muted">{formatTime(booking.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PagedCard>
  );
}

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
          ['avgTripMinutes', 'Avg trip', minutes(overview.avgTripMinutes)],
          ['avgPickupWaitMinutes', 'Avg pickup wait', minutes(overview.avgPickupWaitMinutes)],
          ['acceptanceRate', 'Acceptance', pct(overview.acceptanceRate)],
          ['cancellationRate', 'Cancellation', pct(overview.cancellationRate)],
        ];

  return (
    <>
      {error !== null && <ErrorBanner message={error} onRetry={() => void load()} />}
      {overview === null && error === null ? (
        <Spinner label="Loading overview…" />
      ) : (
        <div className="kpis kpis--overview" data-testid="kpis">
          {tiles.map(([key, label, value]) => (
            <div className="kpi" key={key} data-testid={`kpi-${key}`} data-value={overview?.[key] ?? ''}>
              <div className="kpi__label">{label}</div>
              <div className="kpi__value">{value}</div>
            </div>
          ))}
        </div>
      )}
      <FleetPanel />
      <AnalyticsPanel completedToday={overview?.completedToday ?? null} />
      <DriversTable refreshKey={tablesKey} />
      <BookingsTable refreshKey={tablesKey} />
    </>
  );
}

const TABS = [
  { href: '/admin', label: 'Dashboard', testId: 'admin-tab-dashboard' },
  { href: '/admin/users', label: 'Users', testId: 'admin-tab-users' },
  { href: '/admin/vehicles', label: 'Vehicles', testId: 'admin-tab-vehicles' },
  { href: '/admin/generate', label: 'Generate data', testId: 'admin-tab-generate' },
] as const;

/** Admin area: /admin (dashboard), /admin/users, /admin/vehicles, /admin/generate. */
export function AdminPage() {
  const path = usePath().replace(/\/+$/, '');
  const current = TABS.find((tab) => tab.href === path) ?? TABS[0];
  return (
    <div className="page">
      <nav className="tabs" aria-label="Admin">
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
      {current.href === '/admin/users' ? (
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
