import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FleetDriver, FleetUpdateEvent, Overview } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { MapView, type MapPoint } from '../../components/map-view';
import { Card, ErrorBanner, Spinner, vehicleLabel } from '../../components/ui';

const COLORS: Record<FleetDriver['status'], string> = { available: '#16a34a', busy: '#f97316', offline: '#94a3b8' };

function pct(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}
function minutes(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} min`;
}

/** Admin dashboard: live KPIs and the fleet on a canvas-rendered map. */
export function AdminPage() {
  const { socket } = useSocket();
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fleet, setFleet] = useState<ReadonlyMap<string, FleetDriver>>(new Map());

  const load = useCallback(async () => {
    setError(null);
    try {
      setOverview(await api<Overview>('GET', '/v1/admin/overview'));
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
    const subscribe = () => {
      socket.emit('subscribeFleet', {});
    };
    const onFleet = (event: FleetUpdateEvent) => {
      setFleet((current) => {
        const next = new Map(event.full ? [] : current);
        for (const driver of event.drivers) {
          next.set(driver.id, driver);
        }
        for (const id of event.removed) {
          next.delete(id);
        }
        return next;
      });
    };
    const onMetrics = (event: Overview) => setOverview(event);
    if (socket.connected) {
      subscribe();
    }
    socket.on('connect', subscribe);
    socket.on('fleetUpdate', onFleet);
    socket.on('metrics', onMetrics);
    return () => {
      socket.off('connect', subscribe);
      socket.off('fleetUpdate', onFleet);
      socket.off('metrics', onMetrics);
      if (socket.connected) {
        socket.emit('unsubscribeFleet', {});
      }
    };
  }, [socket]);

  const points = useMemo<MapPoint[]>(() => {
    return [...fleet.values()].map((d) => ({
      id: d.id,
      position: { lat: d.lat, lng: d.lng },
      color: COLORS[d.status],
      title: `${vehicleLabel(d.vehicleType)} · ${d.status}`,
    }));
  }, [fleet]);
  const counts = useMemo(() => {
    const result = { available: 0, busy: 0, offline: 0 };
    for (const p of fleet.values()) {
      result[p.status] += 1;
    }
    return result;
  }, [fleet]);

  const tiles: [string, string][] = overview === null ? [] : [
    ['Online drivers', String(overview.onlineDrivers)],
    ['Active bookings', String(overview.activeBookings)],
    ['Searching', String(overview.searchingBookings)],
    ['Completed today', String(overview.completedToday)],
    ['Avg trip', minutes(overview.avgTripMinutes)],
    ['Avg pickup wait', minutes(overview.avgPickupWaitMinutes)],
    ['Acceptance', pct(overview.acceptanceRate)],
    ['Cancellation', pct(overview.cancellationRate)],
  ];

  return (
    <div className="page">
      {error !== null && <ErrorBanner message={error} onRetry={() => void load()} />}
      {overview === null && error === null ? (
        <Spinner label="Loading overview…" />
      ) : (
        <div className="kpis" data-testid="kpis">
          {tiles.map(([label, value]) => (
            <div className="kpi" key={label}>
              <div className="kpi__label">{label}</div>
              <div className="kpi__value">{value}</div>
            </div>
          ))}
        </div>
      )}
      <Card title="Fleet" actions={<span className="muted" data-testid="fleet-counts">{counts.available} available · {counts.busy} busy · {counts.offline} offline</span>}>
        <MapView points={points} className="map--tall" testId="fleet-map" />
      </Card>
    </div>
  );
}
