import { lazy, Suspense, useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { Analytics } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { LoadBoundary } from '../../components/load-boundary';
import { radioGroupKeys, radioTabIndex } from '../../components/radio-group';
import { Stars } from '../../components/star-rating';
import { Card, Empty, ErrorBanner, Spinner } from '../../components/ui';
import { vehicleRows } from './analytics-data';
import { FailedStopsByReason, FailingDrivers } from './analytics-failed-stops';
import { addDays, count, minutes, pct, revenue, utcDay } from './format';
import { nameLabels } from './names';
import { ExpiredAreas, ExpiredByHour } from './unfilled-demand';

const BookingsOverTime = lazy(() =>
  import('./analytics-charts').then((module) => ({ default: module.BookingsOverTime })),
);
const VehicleTypeChart = lazy(() =>
  import('./analytics-charts').then((module) => ({ default: module.VehicleTypeChart })),
);

/** How often the figures are refetched while the dashboard is visible. */
const REFRESH_MS = 30_000;
/** Refreshes caused by the live `metrics` push come at most this often. */
const METRICS_REFRESH_GAP_MS = 5000;
const PRESETS = [7, 30, 90] as const;
type Preset = (typeof PRESETS)[number];
const MAX_RANGE_DAYS = 366;

interface Range {
  from: string;
  to: string;
}

/** The last `days` UTC days, today included (the API counts UTC days). */
function lastDays(days: number): Range {
  const to = utcDay(new Date());
  return { from: addDays(to, -(days - 1)), to };
}

function rangeProblem(range: Range): string | null {
  if (range.from === '' || range.to === '') {
    return 'Choose both a start and an end date.';
  }
  if (range.from > range.to) {
    return 'The start date is after the end date.';
  }
  if (addDays(range.from, MAX_RANGE_DAYS - 1) < range.to) {
    return `Choose at most ${MAX_RANGE_DAYS} days.`;
  }
  return null;
}

function ChartFallback() {
  return (
    <div className="chart chart--loading">
      <Spinner label="Loading chart…" />
    </div>
  );
}

function Bar({ value, max, tone }: { value: number; max: number; tone?: 'ok' | 'primary' }) {
  const width = max <= 0 ? 0 : Math.max(2, Math.round((value / max) * 100));
  return (
    <span className={`meter meter--${tone ?? 'primary'}`} aria-hidden="true">
      <span style={{ width: `${value <= 0 ? 0 : width}%` }} />
    </span>
  );
}

function VehicleFigures({ analytics }: { analytics: Analytics }) {
  const rows = vehicleRows(analytics.byVehicleType);
  const maxRevenue = Math.max(0, ...rows.map((r) => r.revenue));
  return (
    <div className="table-wrap" role="region" aria-label="Vehicle types: trips and revenue" tabIndex={0}>
      <table className="table table--compact table--cards" data-testid="vehicle-figures">
        <thead>
          <tr>
            <th>Vehicle</th>
            <th className="num">Bookings</th>
            <th className="num">Completed</th>
            <th className="num">
              Cancelled
              <span className="table__sub">/ expired</span>
            </th>
            <th className="num">Avg trip</th>
            <th>Revenue</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.vehicleType} data-vehicle-type={row.vehicleType}>
              <td data-label="Vehicle">
                <strong>{row.label}</strong>
              </td>
              <td className="num" data-label="Bookings">
                {count(row.bookings)}
              </td>
              <td className="num" data-label="Completed">
                {count(row.tripsCompleted)}
              </td>
              <td className="num" data-label="Cancelled / expired" data-expired={row.expired}>
                {count(row.cancelled)} / {count(row.expired)}
              </td>
              <td className="num" data-label="Avg trip">
                {minutes(row.avgTripMinutes)}
              </td>
              <td className="meter-cell" data-label="Revenue">
                <span className="num">{revenue(row.revenue, analytics.currency)}</span>
                <Bar value={row.revenue} max={maxRevenue} tone="ok" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DriverPerformanceTable({ analytics }: { analytics: Analytics }) {
  const drivers = analytics.driverPerformance;
  if (drivers.length === 0) {
    return <Empty>No driver completed a trip in this range.</Empty>;
  }
  const maxTrips = Math.max(0, ...drivers.map((d) => d.trips));
  // Two drivers with one name are told apart by the end of their IDs.
  const labels = nameLabels(drivers.map((d) => ({ id: d.driverId, name: d.name })));
  return (
    <div className="table-wrap" role="region" aria-label="Top drivers" tabIndex={0}>
      <table className="table table--compact table--cards" data-testid="driver-performance">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Driver</th>
            <th>Trips</th>
            <th className="num">Avg trip</th>
            <th className="num">Acceptance</th>
            <th>Rating</th>
          </tr>
        </thead>
        <tbody>
          {drivers.map((driver, index) => (
            <tr key={driver.driverId} data-testid="driver-performance-row" data-driver-id={driver.driverId}>
              <td className="num muted" data-label="Rank">
                {index + 1}
              </td>
              <td title={`Driver ${driver.driverId}`} data-label="Driver">
                <strong>{labels.get(driver.driverId) ?? driver.name}</strong>
              </td>
              <td className="meter-cell" data-label="Trips">
                <span className="num">{count(driver.trips)}</span>
                <Bar value={driver.trips} max={maxTrips} />
              </td>
              <td className="num" data-label="Avg trip">
                {minutes(driver.avgTripMinutes)}
              </td>
              <td className="num" data-label="Acceptance">
                {pct(driver.acceptanceRate)}
              </td>
              <td data-label="Rating">
                {driver.rating === null ? (
                  <span className="muted">No ratings</span>
                ) : (
                  <span className="row row--tight">
                    <Stars value={driver.rating} small />
                    <span className="num">{driver.rating.toFixed(1)}</span>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Figures over a chosen range of UTC days: totals, bookings per day, the split
 * by vehicle type, the top drivers, unfilled demand and failed stops. Refetched every 30 s while the page is
 * visible and whenever `completedToday` (from the live `metrics` push) changes.
 */
export function AnalyticsPanel({ completedToday }: { completedToday: number | null }) {
  const [preset, setPreset] = useState<Preset | null>(30);
  const [range, setRange] = useState<Range>(() => lastDays(30));
  const choosePreset = (days: Preset) => {
    setPreset(days);
    setRange(lastDays(days));
  };
  const [analytics, setAnalytics] = useState<Analytics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const latest = useRef(0);
  const lastLoadAt = useRef(0);
  const problem = rangeProblem(range);

  const load = useCallback(async (wanted: Range) => {
    const request = ++latest.current;
    lastLoadAt.current = Date.now();
    setLoading(true);
    try {
      const result = await api('admin.analytics', { query: wanted });
      if (request === latest.current) {
        setAnalytics(result);
        setError(null);
        setUpdatedAt(new Date());
      }
    } catch (caught) {
      if (request === latest.current) {
        setError(errorMessage(caught));
      }
    } finally {
      if (request === latest.current) {
        setLoading(false);
      }
    }
  }, []);

  useEffect(() => {
    if (rangeProblem(range) === null) {
      void load(range);
    }
  }, [range, load]);

  // Periodic refresh. A "last N days" range moves with the calendar: after midnight UTC it covers the new day.
  const refresh = useCallback(() => {
    if (preset !== null) {
      const current = lastDays(preset);
      if (current.to !== range.to) {
        setRange(current);
        return;
      }
    }
    if (rangeProblem(range) === null) {
      void load(range);
    }
  }, [preset, range, load]);
  // Timers call the refresh of the latest render without being restarted by it.
  const refreshLater = useEffectEvent(refresh);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) {
        refreshLater();
      }
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  // A trip was completed (or the day rolled over): the figures moved. On a busy platform that is every
  // second, so these refreshes are spaced out (the last change always gets one, a little later).
  const lastCompleted = useRef(completedToday);
  const trailing = useRef<number | null>(null);
  useEffect(() => {
    const changed =
      completedToday !== null && lastCompleted.current !== null && completedToday !== lastCompleted.current;
    lastCompleted.current = completedToday;
    if (!changed) {
      return;
    }
    const wait = lastLoadAt.current + METRICS_REFRESH_GAP_MS - Date.now();
    if (wait <= 0) {
      refreshLater();
    } else if (trailing.current === null) {
      trailing.current = window.setTimeout(() => {
        trailing.current = null;
        refreshLater();
      }, wait);
    }
  }, [completedToday]);
  useEffect(
    () => () => {
      if (trailing.current !== null) {
        window.clearTimeout(trailing.current);
      }
    },
    [],
  );

  const today = utcDay(new Date());
  const totalBookings = analytics?.bookingsPerDay.reduce((sum, d) => sum + d.count, 0) ?? 0;
  const cancelled = analytics?.byVehicleType.reduce((sum, v) => sum + v.cancelled, 0) ?? 0;
  const totalRevenue = analytics?.byVehicleType.reduce((sum, v) => sum + v.revenue, 0) ?? 0;
  const state = error !== null && analytics === null ? 'error' : analytics === null ? 'loading' : 'ready';

  const tiles: [string, string, string][] =
    analytics === null
      ? []
      : [
          ['bookings', 'Bookings', count(totalBookings)],
          ['tripsCompleted', 'Trips completed', count(analytics.tripsCompleted)],
          ['cancelled', 'Cancelled', count(cancelled)],
          ['expired', 'Expired, no driver', count(analytics.unfilled.expired)],
          ['expiredRate', 'Expired share', pct(analytics.unfilled.rate)],
          ['revenue', 'Revenue (delivered)', revenue(totalRevenue, analytics.currency)],
          ['avgTripMinutes', 'Avg trip', minutes(analytics.avgTripMinutes)],
          ['avgPickupWaitMinutes', 'Avg pickup wait', minutes(analytics.avgPickupWaitMinutes)],
        ];

  return (
    <section
      className="analytics"
      data-testid="analytics"
      data-state={state}
      data-trips-completed={analytics?.tripsCompleted ?? ''}
      aria-busy={loading}
    >
      <div className="analytics__bar">
        <div>
          <h2>Analytics</h2>
          <p className="muted analytics__status" aria-live="polite">
            {loading && analytics !== null
              ? 'Refreshing…'
              : updatedAt !== null
                ? `Updated ${updatedAt.toLocaleTimeString()} · refreshes every 30 s · UTC days`
                : 'UTC days'}
          </p>
        </div>
        <div className="range" role="group" aria-label="Date range">
          <div
            className="segmented segmented--inline"
            role="radiogroup"
            aria-label="Quick ranges"
            onKeyDown={radioGroupKeys(PRESETS, preset, choosePreset)}
          >
            {PRESETS.map((days) => (
              <button
                key={days}
                type="button"
                role="radio"
                aria-checked={preset === days}
                tabIndex={radioTabIndex(PRESETS, preset, days)}
                className={preset === days ? 'segmented__item is-active' : 'segmented__item'}
                onClick={() => choosePreset(days)}
                data-testid={`range-${days}`}
              >
                {days} days
              </button>
            ))}
          </div>
          <label className="range__field">
            <span>From</span>
            <input
              type="date"
              value={range.from}
              max={range.to === '' ? today : range.to}
              onChange={(event) => {
                setPreset(null);
                setRange((current) => ({ ...current, from: event.target.value }));
              }}
              data-testid="range-from"
            />
          </label>
          <label className="range__field">
            <span>To</span>
            <input
              type="date"
              value={range.to}
              min={range.from}
              max={today}
              onChange={(event) => {
                setPreset(null);
                setRange((current) => ({ ...current, to: event.target.value }));
              }}
              data-testid="range-to"
            />
          </label>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={refresh}
            disabled={loading || problem !== null}
            data-testid="analytics-refresh"
          >
            Refresh
          </button>
        </div>
      </div>
      {problem !== null && <div className="banner banner--warn">{problem}</div>}
      {error !== null && (
        <ErrorBanner
          message={analytics === null ? `Analytics unavailable: ${error}` : `Could not refresh: ${error}`}
          onRetry={refresh}
        />
      )}
      {analytics === null ? (
        error === null && <Spinner label="Loading analytics…" />
      ) : (
        <div className={loading ? 'analytics__body is-refreshing' : 'analytics__body'}>
          <div className="kpis kpis--range" data-testid="analytics-kpis">
            {tiles.map(([key, label, value]) => (
              <div className="kpi kpi--small" key={key} data-testid={`range-kpi-${key}`}>
                <div className="kpi__label">{label}</div>
                <div className="kpi__value">{value}</div>
              </div>
            ))}
          </div>
          <div className="analytics__grid">
            <Card title="Bookings per day">
              <LoadBoundary what="the chart">
                <Suspense fallback={<ChartFallback />}>
                  <BookingsOverTime analytics={analytics} />
                </Suspense>
              </LoadBoundary>
            </Card>
            <Card title="By vehicle type">
              <LoadBoundary what="the chart">
                <Suspense fallback={<ChartFallback />}>
                  <VehicleTypeChart analytics={analytics} />
                </Suspense>
              </LoadBoundary>
            </Card>
          </div>
          <div className="analytics__grid analytics__grid--flip">
            <Card title="Vehicle types: trips and revenue">
              <VehicleFigures analytics={analytics} />
            </Card>
            <Card title="Top drivers">
              <DriverPerformanceTable analytics={analytics} />
            </Card>
          </div>
          <div className="analytics__grid" data-testid="unfilled-demand">
            <Card title="Expired bookings by hour (UTC)">
              <ExpiredByHour unfilled={analytics.unfilled} />
            </Card>
            <Card title="Where bookings expired">
              <ExpiredAreas unfilled={analytics.unfilled} />
            </Card>
          </div>
          {analytics.failedStops !== undefined && (
            <div className="analytics__grid" data-testid="failed-stops">
              <Card title="Failed stops by reason">
                <FailedStopsByReason failedStops={analytics.failedStops} />
              </Card>
              <Card title="Drivers with the most failed stops">
                <FailingDrivers failedStops={analytics.failedStops} />
              </Card>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
