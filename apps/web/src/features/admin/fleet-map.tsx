import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AdminDriver, FleetDriver, FleetUpdateEvent } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { MapView, type MapPoint } from '../../components/map-view';
import { Card } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';
import { Link } from '../../router';
import { detailPath } from './booking-filters';
import { FleetList, shortId } from './fleet-list';

const COLORS: Record<FleetDriver['status'], string> = {
  available: '#16a34a',
  busy: '#f97316',
  offline: '#94a3b8',
};

/** The admin drivers list's filter that holds a fleet driver of this status. */
const LIST_STATUS: Record<FleetDriver['status'], 'online' | 'busy' | 'offline'> = {
  available: 'online',
  busy: 'busy',
  offline: 'offline',
};
/** How many pages of the drivers list a lookup reads before it gives up. */
const LOOKUP_PAGES = 5;

/**
 * Finds a driver's admin record (name, vehicle, trip) in the drivers list of
 * its fleet status, a page of 100 at a time.
 */
async function lookUpDriver(driver: FleetDriver): Promise<AdminDriver | null> {
  let cursor: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page += 1) {
    const answer = await api('admin.drivers', {
      query: { status: LIST_STATUS[driver.status], limit: 100, ...(cursor === undefined ? {} : { cursor }) },
    });
    const found = answer.items.find((item) => item.id === driver.id);
    if (found !== undefined) {
      return found;
    }
    if (answer.nextCursor === null) {
      return null;
    }
    cursor = answer.nextCursor;
  }
  return null;
}

type Details =
  { state: 'loading' } | { state: 'ready'; driver: AdminDriver | null } | { state: 'error'; message: string };

function DriverDetails({ fleet, details }: { fleet: FleetDriver; details: Details }) {
  return (
    <div className="fleet-details" data-testid="fleet-details" data-driver={fleet.id} role="status">
      {details.state === 'loading' && <span className="muted">Loading driver…</span>}
      {details.state === 'error' && <span className="muted">{details.message}</span>}
      {details.state === 'ready' && (
        <dl className="kv">
          <dt>Driver</dt>
          <dd data-testid="fleet-details-name">
            {details.driver === null ? 'Unknown driver' : details.driver.name}{' '}
            <span className="muted mono">{shortId(fleet.id)}</span>
          </dd>
          <dt>Vehicle</dt>
          <dd>
            {vehicleLabel(fleet.vehicleType)}
            {details.driver !== null && <span className="mono"> {details.driver.vehicle.plate}</span>}
          </dd>
          <dt>Trip</dt>
          <dd data-testid="fleet-details-trip">
            {details.driver?.activeBookingId !== undefined ? (
              <Link href={detailPath(details.driver.activeBookingId)}>Open the booking</Link>
            ) : fleet.status === 'available' ? (
              'Available for offers'
            ) : fleet.status === 'busy' ? (
              'On a trip'
            ) : (
              'Offline'
            )}
          </dd>
        </dl>
      )}
    </div>
  );
}

/**
 * The live fleet: every driver as a dot on a canvas map (gliding between the
 * batched `fleetUpdate`s), counts by status, and the driver, vehicle and trip
 * of the dot clicked or chosen from the list below the map (the keyboard's way in).
 */
export function FleetPanel() {
  const { socket } = useSocket();
  const [fleet, setFleet] = useState<ReadonlyMap<string, FleetDriver>>(new Map());
  const [selected, setSelected] = useState<string | null>(null);
  const [details, setDetails] = useState<Details>({ state: 'loading' });
  const known = useRef(new Map<string, AdminDriver | null>());

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
    if (socket.connected) {
      subscribe();
    }
    socket.on('connect', subscribe);
    socket.on('fleetUpdate', onFleet);
    return () => {
      socket.off('connect', subscribe);
      socket.off('fleetUpdate', onFleet);
      if (socket.connected) {
        socket.emit('unsubscribeFleet', {});
      }
    };
  }, [socket]);

  const select = useCallback(
    (id: string) => {
      setSelected(id);
      const driver = fleet.get(id);
      if (driver === undefined) {
        return;
      }
      // A busy driver's trip changes; anything else about a driver is kept once read.
      const cached = known.current.get(id);
      if (cached !== undefined && driver.status !== 'busy') {
        setDetails({ state: 'ready', driver: cached });
        return;
      }
      setDetails({ state: 'loading' });
      lookUpDriver(driver)
        .then((found) => {
          known.current.set(id, found);
          setDetails({ state: 'ready', driver: found });
        })
        .catch((caught: unknown) => setDetails({ state: 'error', message: errorMessage(caught) }));
    },
    [fleet],
  );

  const points = useMemo<MapPoint[]>(
    () =>
      [...fleet.values()].map((d) => ({
        id: d.id,
        position: { lat: d.lat, lng: d.lng },
        color: COLORS[d.status],
        title: `${vehicleLabel(d.vehicleType)} · ${d.status}`,
      })),
    [fleet],
  );
  const counts = useMemo(() => {
    const result = { available: 0, busy: 0, offline: 0 };
    for (const p of fleet.values()) {
      result[p.status] += 1;
    }
    return result;
  }, [fleet]);
  const chosen = selected === null ? undefined : fleet.get(selected);

  return (
    <Card
      title="Fleet"
      actions={
        <span
          className="legend"
          data-testid="fleet-counts"
          data-available={counts.available}
          data-busy={counts.busy}
          data-offline={counts.offline}
        >
          {(['available', 'busy', 'offline'] as const).map((status) => (
            <span key={status} className="legend__item">
              <span className="legend__dot" style={{ background: COLORS[status] }} aria-hidden="true" />
              {counts[status]} {status}
            </span>
          ))}
        </span>
      }
    >
      <MapView
        points={points}
        onPointSelect={select}
        selectedPointId={chosen === undefined ? null : chosen.id}
        fitKey={points.length > 0 ? 'fleet' : undefined}
        className="map--tall"
        testId="fleet-map"
        label="Fleet map: every driver's position"
      />
      {fleet.size === 0 ? (
        <p className="muted map-note">No driver has reported a position yet.</p>
      ) : (
        <div className="fleet-pick">
          <label htmlFor="fleet-pick">Show a driver</label>
          <select
            id="fleet-pick"
            value={chosen?.id ?? ''}
            onChange={(event) => {
              if (event.target.value !== '') {
                select(event.target.value);
              }
            }}
            data-testid="fleet-pick"
          >
            <option value="">Choose a driver on the map…</option>
            {[...fleet.values()].map((driver) => (
              <option key={driver.id} value={driver.id}>
                {vehicleLabel(driver.vehicleType)} {shortId(driver.id)} · {driver.status}
              </option>
            ))}
          </select>
        </div>
      )}
      {chosen !== undefined && <DriverDetails fleet={chosen} details={details} />}
      {fleet.size > 0 && <FleetList fleet={fleet} selectedId={chosen?.id ?? null} onSelect={select} />}
    </Card>
  );
}
