import { useEffect, useMemo, useState } from 'react';
import type { AdminDriver } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { ConfirmDialog } from '../../components/dialog';
import { PagedCard } from '../../components/paged-card';
import { RowMenu } from '../../components/row-menu';
import { ErrorBanner, formatTime } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';
import { Link } from '../../router';
import { detailPath } from './booking-filters';
import { nameLabels } from './names';

type DriverState = 'suspended' | 'busy' | 'online' | 'offline';
function driverState(driver: AdminDriver): DriverState {
  return driver.suspended ? 'suspended' : driver.busy ? 'busy' : driver.online ? 'online' : 'offline';
}

const fetchDrivers = (page: PageRequest) => api('admin.drivers', { query: page });

/**
 * Every driver, with what they drive, their state and last position; suspending
 * (it signs them out everywhere) sits in each row's menu and asks first.
 */
export function DriversTable({ refreshKey }: { refreshKey: number }) {
  const list = usePagedList(fetchDrivers);
  const [pending, setPending] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<AdminDriver | null>(null);
  const { refreshIfFirstPage, setItems } = list;

  useEffect(() => {
    if (refreshKey > 0) {
      refreshIfFirstPage();
    }
  }, [refreshKey, refreshIfFirstPage]);

  const labels = useMemo(() => nameLabels(list.items), [list.items]);

  const setSuspended = async (driver: AdminDriver, suspended: boolean) => {
    setPending(driver.id);
    setActionError(null);
    try {
      const updated = await api('admin.setSuspended', { params: { id: driver.id }, body: { suspended } });
      setItems((current) => current.map((d) => (d.id === updated.id ? updated : d)));
      setConfirming(null);
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
      notice={actionError !== null && confirming === null && <ErrorBanner message={actionError} />}
      moreTestId="drivers-more"
    >
      <table className="table table--cards" data-testid="drivers-table">
        <thead>
          <tr>
            <th>Driver</th>
            <th>Vehicle</th>
            <th>Status</th>
            <th>Last position</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((driver) => {
            const state = driverState(driver);
            const name = labels.get(driver.id) ?? driver.name;
            return (
              <tr key={driver.id} data-testid="driver-row" data-driver-id={driver.id} data-state={state}>
                <td data-label="Driver">
                  <span>
                    <strong>{name}</strong>
                    <small className="table__sub">{driver.email}</small>
                  </span>
                </td>
                <td data-label="Vehicle">
                  <span>
                    {vehicleLabel(driver.vehicle.type)} <span className="mono">{driver.vehicle.plate}</span>
                  </span>
                </td>
                <td data-label="Status">
                  <span>
                    <span className={`state state--${state}`}>{state}</span>
                    {driver.activeBookingId !== undefined && (
                      <>
                        {' '}
                        <Link href={detailPath(driver.activeBookingId)} className="table__link">
                          on a trip
                        </Link>
                      </>
                    )}
                  </span>
                </td>
                <td data-label="Last position" className="muted">
                  {driver.lastLocation === null ? '—' : formatTime(driver.lastLocation.at)}
                </td>
                <td data-label="" className="table__actions">
                  <RowMenu
                    label={`Actions for ${name}`}
                    testId="driver-actions"
                    items={[
                      driver.suspended
                        ? {
                            label: 'Lift suspension',
                            onSelect: () => void setSuspended(driver, false),
                            testId: 'unsuspend-driver',
                          }
                        : {
                            label: 'Suspend…',
                            danger: true,
                            onSelect: () => {
                              setActionError(null);
                              setConfirming(driver);
                            },
                            testId: 'suspend-driver',
                          },
                    ]}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ConfirmDialog
        open={confirming !== null}
        title={`Suspend ${confirming === null ? '' : (labels.get(confirming.id) ?? confirming.name)}?`}
        message={
          <p>
            They go offline at once, are signed out on every device and cannot go online until the suspension
            is lifted. A trip they are on stays with them: cancel it from the booking if it must end.
          </p>
        }
        confirmLabel="Suspend"
        busyLabel="Suspending…"
        busy={confirming !== null && pending === confirming.id}
        error={confirming === null ? null : actionError}
        onConfirm={() => {
          if (confirming !== null) {
            void setSuspended(confirming, true);
          }
        }}
        onClose={() => {
          setConfirming(null);
          setActionError(null);
        }}
        testId="suspend-dialog"
      />
    </PagedCard>
  );
}
