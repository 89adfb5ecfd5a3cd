import type { User } from '@loadline/contracts';
import type { ConnectionState } from '../../api/socket';
import { Card } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';
import type { DeviceLocationState } from './use-device-location';
import type { LocationSource } from './use-driver-location';

/** One line on where the driver's position comes from, and what to do when it does not come. */
function LocationLine({
  online,
  device,
  source,
  simulate,
  onRetry,
}: {
  online: boolean;
  device: DeviceLocationState;
  source: LocationSource | null;
  simulate: boolean;
  onRetry: () => void;
}) {
  if (simulate) {
    return (
      <p className="shift__location" data-testid="location-status" data-state="simulated">
        Simulated GPS is driving your position (developer tools).
      </p>
    );
  }
  if (!online) {
    return (
      <p className="shift__location muted" data-testid="location-status" data-state="off">
        Your location is shared only while you are online.
      </p>
    );
  }
  switch (device.kind) {
    case 'on':
      return (
        <p className="shift__location" data-testid="location-status" data-state="on">
          <span className="dot dot--ok" aria-hidden="true" /> Location on
          {device.accuracyM > 0 && <> · accurate to {device.accuracyM} m</>}
        </p>
      );
    case 'asking':
    case 'off':
      return (
        <p className="shift__location" data-testid="location-status" data-state="asking">
          Finding your location… Allow location access if your browser asks.
        </p>
      );
    case 'denied':
    case 'unavailable':
      return (
        <div
          className="banner banner--warn shift__location"
          data-testid="location-status"
          data-state={device.kind}
        >
          <span>
            {device.kind === 'denied'
              ? 'Location is blocked, so you cannot get offers near you. Allow location for this site in your browser settings, then try again.'
              : `${device.message} Move to open sky or turn on location services.`}
          </span>
          <button type="button" className="btn btn--ghost btn--small" onClick={onRetry}>
            Try again
          </button>
        </div>
      );
    case 'unsupported':
      return (
        <p
          className="banner banner--warn shift__location"
          data-testid="location-status"
          data-state="unsupported"
        >
          This browser cannot share your location
          {source === 'map' ? '; the position set on the map is used' : ''}.
        </p>
      );
  }
}

/**
 * The shift: one large Go online / Go offline control, the vehicle, where the
 * position comes from, the live connection, and (folded away) the developer
 * tools: simulated GPS and setting the position on the map.
 */
export function AvailabilityCard({
  driver,
  online,
  togglingOnline,
  onToggleOnline,
  device,
  source,
  onRetryLocation,
  developer,
  onDeveloper,
  simulate,
  onSimulate,
  connection,
}: {
  driver: User['driver'];
  online: boolean | null;
  togglingOnline: boolean;
  onToggleOnline: () => void;
  device: DeviceLocationState;
  source: LocationSource | null;
  onRetryLocation: () => void;
  developer: boolean;
  onDeveloper: (open: boolean) => void;
  simulate: boolean;
  onSimulate: (on: boolean) => void;
  connection: ConnectionState;
}) {
  const isOnline = online === true;
  return (
    <Card className="shift">
      <div className="shift__head">
        <span className={`shift__state ${isOnline ? 'is-online' : ''}`}>
          <span className={`dot ${isOnline ? 'dot--ok' : ''}`} aria-hidden="true" />
          <span data-testid="online-state">{isOnline ? 'Online' : 'Offline'}</span>
        </span>
        {driver !== undefined && (
          <span className="muted">
            {vehicleLabel(driver.vehicle.type)} <span className="mono">{driver.vehicle.plate}</span>
          </span>
        )}
      </div>
      <button
        type="button"
        className={`btn btn--huge btn--block shift__toggle ${isOnline ? 'btn--ghost' : 'btn--primary'}`}
        disabled={togglingOnline || online === null}
        aria-pressed={isOnline}
        onClick={onToggleOnline}
        data-testid="online-toggle"
      >
        {togglingOnline ? 'One moment…' : isOnline ? 'Go offline' : 'Go online'}
      </button>
      <LocationLine
        online={isOnline}
        device={device}
        source={source}
        simulate={simulate}
        onRetry={onRetryLocation}
      />
      {connection !== 'connected' && (
        <div className="banner banner--info" style={{ marginTop: '0.5rem', marginBottom: 0 }}>
          Live connection: {connection}. Offers and location updates resume on reconnect.
        </div>
      )}
      <details
        className="shift__developer"
        open={developer}
        onToggle={(event) => onDeveloper(event.currentTarget.open)}
        data-testid="developer-tools"
      >
        <summary>Developer tools</summary>
        <label className="switch">
          <input
            type="checkbox"
            checked={simulate}
            onChange={(e) => onSimulate(e.target.checked)}
            data-testid="simulate-gps"
          />
          Simulate GPS (drives toward the next stop)
        </label>
        <p className="muted shift__hint">Tap the map to set your position by hand.</p>
      </details>
    </Card>
  );
}
