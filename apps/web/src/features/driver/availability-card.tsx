import type { User } from '@loadline/contracts';
import type { ConnectionState } from '../../api/socket';
import type { LatLng } from '../../components/map-view';
import { Card, formatLatLng } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';

/** Online/offline, simulated GPS, the vehicle and where the driver is, and the live connection's state. */
export function AvailabilityCard({
  driver,
  online,
  togglingOnline,
  onToggleOnline,
  simulate,
  onSimulate,
  position,
  connection,
}: {
  driver: User['driver'];
  online: boolean | null;
  togglingOnline: boolean;
  onToggleOnline: () => void;
  simulate: boolean;
  onSimulate: (on: boolean) => void;
  position: LatLng | null;
  connection: ConnectionState;
}) {
  return (
    <Card>
      <div className="spread">
        <label className="switch">
          <input
            type="checkbox"
            checked={online ?? false}
            disabled={togglingOnline || online === null}
            onChange={onToggleOnline}
            data-testid="online-toggle"
          />
          <span data-testid="online-state">{online === true ? 'Online' : 'Offline'}</span>
        </label>
        <label className="switch">
          <input
            type="checkbox"
            checked={simulate}
            onChange={(e) => onSimulate(e.target.checked)}
            data-testid="simulate-gps"
          />
          Simulate GPS
        </label>
      </div>
      <p className="muted" style={{ margin: '0.5rem 0 0' }}>
        {driver !== undefined && (
          <>
            {vehicleLabel(driver.vehicle.type)} <span className="mono">{driver.vehicle.plate}</span> ·{' '}
          </>
        )}
        {position === null ? 'Position unknown: tap the map to set it.' : <>At {formatLatLng(position)}</>}
      </p>
      {connection !== 'connected' && (
        <div className="banner banner--info" style={{ marginTop: '0.5rem', marginBottom: 0 }}>
          Live connection: {connection}. Offers and location updates resume on reconnect.
        </div>
      )}
    </Card>
  );
}
