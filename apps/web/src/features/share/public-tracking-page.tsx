import { useMemo } from 'react';
import type { BookingStatus, PublicTracking, StopStatus } from '@loadline/contracts';
import { ConnectionStateBadge } from '../../components/header';
import { MapView, type MapMarker } from '../../components/map-view';
import { Card, ErrorBanner, Spinner, StatusPill } from '../../components/ui';
import { STATUS_FLOW } from '../../domain/booking-status';
import { etaLabel, formatEta } from '../../domain/durations';
import { vehicleLabel } from '../../domain/vehicles';
import { usePublicTracking } from './use-public-tracking';
import './share.css';

const STOP_TEXT: Record<StopStatus, string> = {
  pending: 'Waiting',
  arrived: 'Driver is there',
  delivered: 'Delivered',
  failed: 'Not delivered',
};

type StepState = 'done' | 'current' | 'pending';

/** The pickup's step: done once the goods are on board, current while the driver heads there. */
function pickupState(status: BookingStatus): StepState {
  if (status === 'cancelled' || status === 'expired') {
    return 'pending';
  }
  const at = STATUS_FLOW.indexOf(status);
  return at >= STATUS_FLOW.indexOf('goods_collected')
    ? 'done'
    : at >= STATUS_FLOW.indexOf('driver_assigned')
      ? 'current'
      : 'pending';
}

/** Done once handed over (or failed); current when the driver is there, or is heading there next. */
function stopState(status: StopStatus, next: boolean): StepState {
  if (status === 'delivered' || status === 'failed') {
    return 'done';
  }
  return status === 'arrived' || next ? 'current' : 'pending';
}

function Progress({ view }: { view: PublicTracking }) {
  const pickup = pickupState(view.status);
  return (
    <ol className="timeline" data-testid="share-stops">
      <li className={`is-${pickup}`} data-state={pickup} data-stop="pickup">
        Pickup
        <span className="muted">
          {pickup === 'done' ? 'Collected' : pickup === 'current' ? 'Driver on the way' : 'Waiting'}
        </span>
      </li>
      {view.stops.map((stop) => {
        const next =
          pickup === 'done' &&
          view.status !== 'delivered' &&
          view.stops.find((other) => other.status === 'pending' || other.status === 'arrived') === stop;
        const state = stopState(stop.status, next);
        return (
          <li
            key={stop.seq}
            className={`is-${state}`}
            data-state={state}
            data-stop={stop.seq}
            data-testid="share-stop"
          >
            {view.stops.length === 1 ? 'Drop-off' : `Stop ${stop.seq}`}
            <span className="muted">
              {next && stop.status === 'pending' ? 'On the way' : STOP_TEXT[stop.status]}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

function LiveView({ view }: { view: PublicTracking }) {
  const position = view.driverLocation;
  const markers = useMemo<MapMarker[]>(
    () =>
      position === null
        ? []
        : [
            {
              id: 'driver',
              kind: 'driver',
              position: { lat: position.lat, lng: position.lng },
              heading: position.heading,
              label: 'Driver',
              smooth: true,
              testId: 'driver-marker',
            },
          ],
    [position],
  );
  const eta = etaLabel(view.status);
  return (
    <div className="share__layout">
      <Card title="Delivery tracking">
        <p className="share__status">
          <StatusPill status={view.status} testId="share-status" />
        </p>
        <dl className="kv">
          <dt>Vehicle</dt>
          <dd data-testid="share-vehicle">
            {vehicleLabel(view.driver?.vehicle.type ?? view.vehicleType)}
            {view.driver !== null && (
              <>
                {' · '}
                <span className="mono" data-testid="share-plate">
                  {view.driver.vehicle.plate}
                </span>
              </>
            )}
          </dd>
          <dt>Driver</dt>
          <dd data-testid="share-driver">
            {view.driver === null ? <span className="muted">Not assigned yet</span> : view.driver.firstName}
          </dd>
          {eta !== null && (
            <>
              <dt>{eta}</dt>
              <dd data-testid="share-eta">{formatEta(view.status, view.etaMinutes)}</dd>
            </>
          )}
        </dl>
      </Card>
      <MapView
        markers={markers}
        fitKey={position === null ? undefined : 'driver'}
        {...(position === null ? {} : { center: { lat: position.lat, lng: position.lng } })}
        className="share__map"
        testId="share-map"
        label="The driver's live position"
      />
      <Card title="Progress">
        <Progress view={view} />
      </Card>
    </div>
  );
}

/**
 * The public page a share link opens (`/t/:token`): no sign-in, phone first.
 * Status, vehicle and plate, the driver's first name, the live map, the ETA
 * and the stops; a clear end when the link expired or was revoked.
 */
export function PublicTrackingPage({ token }: { token: string }) {
  const { state, reload } = usePublicTracking(token);
  const connection = state.kind === 'live' ? state.connection : null;
  return (
    <>
      <header className="topbar">
        <a href="/" className="brand">
          <span className="brand__mark" aria-hidden="true">
            ▲
          </span>
          Loadline
        </a>
        {connection !== null && (
          <div className="topbar__right">
            <ConnectionStateBadge state={connection} testId="share-connection" />
          </div>
        )}
      </header>
      <main className="main share" data-testid="share-page">
        {state.kind === 'loading' ? (
          <Spinner label="Loading the delivery…" />
        ) : state.kind === 'error' ? (
          <ErrorBanner message={state.message} onRetry={reload} />
        ) : state.kind === 'gone' ? (
          <Card title="Link no longer available">
            <p className="banner banner--info" role="status" data-testid="share-gone">
              This tracking link has expired or was revoked. Ask the sender for a new one.
            </p>
          </Card>
        ) : (
          <LiveView view={state.view} />
        )}
      </main>
    </>
  );
}
