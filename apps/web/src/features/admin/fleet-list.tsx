import { useMemo, useState } from 'react';
import type { FleetDriver } from '@loadline/contracts';
import { vehicleLabel } from '../../domain/vehicles';

/** Rows shown at first, and added by each "Show more". */
const PAGE_ROWS = 50;
const STATUS_ORDER: Record<FleetDriver['status'], number> = { busy: 0, available: 1, offline: 2 };
/** The last 6 digits of an ID: enough to tell two drivers apart at a glance. */
export function shortId(id: string): string {
  return `…${id.slice(-6)}`;
}

/** The fleet in list order: busy drivers first, then available, then offline; by ID within each. */
export function fleetRows(fleet: Iterable<FleetDriver>): FleetDriver[] {
  return [...fleet].sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.id.localeCompare(b.id),
  );
}

/**
 * The fleet map as a table, for keyboards and screen readers (the map is a
 * canvas): every driver's vehicle, status and position, with a button that
 * selects the driver as a click on its dot would. Folded by default; while
 * folded it renders no rows, so a large fleet costs nothing.
 */
export function FleetList({
  fleet,
  selectedId,
  onSelect,
}: {
  fleet: ReadonlyMap<string, FleetDriver>;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState(PAGE_ROWS);
  const rows = useMemo(() => (open ? fleetRows(fleet.values()) : []), [fleet, open]);
  return (
    <details
      className="fleet-list"
      data-testid="fleet-list"
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary>
        Fleet as a list ({fleet.size} {fleet.size === 1 ? 'driver' : 'drivers'})
      </summary>
      {open && (
        <>
          <div className="table-wrap" role="region" aria-label="Fleet as a list" tabIndex={0}>
            <table className="table table--compact">
              <thead>
                <tr>
                  <th>Driver</th>
                  <th>Status</th>
                  <th>Position</th>
                  <th>
                    <span className="visually-hidden">Map</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, shown).map((driver) => (
                  <tr key={driver.id} data-testid="fleet-list-row" data-driver={driver.id}>
                    <td>
                      {vehicleLabel(driver.vehicleType)} <span className="mono">{shortId(driver.id)}</span>
                    </td>
                    <td>
                      <span
                        className={`state state--${driver.status === 'available' ? 'online' : driver.status}`}
                      >
                        {driver.status}
                      </span>
                    </td>
                    <td className="mono">
                      {driver.lat.toFixed(4)}, {driver.lng.toFixed(4)}
                    </td>
                    <td className="table__actions">
                      <button
                        type="button"
                        className="btn btn--ghost btn--small"
                        aria-pressed={driver.id === selectedId}
                        onClick={() => onSelect(driver.id)}
                        data-testid="fleet-list-show"
                      >
                        Show
                        <span className="visually-hidden">
                          {' '}
                          {vehicleLabel(driver.vehicleType)} {shortId(driver.id)} on the map
                        </span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > shown && (
            <button
              type="button"
              className="btn btn--ghost btn--block"
              onClick={() => setShown((count) => count + PAGE_ROWS)}
            >
              Show {Math.min(PAGE_ROWS, rows.length - shown)} more of {rows.length - shown}
            </button>
          )}
        </>
      )}
    </details>
  );
}
