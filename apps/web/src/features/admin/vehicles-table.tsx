import { useMemo } from 'react';
import { api } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { formatTime } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';
import { nameLabels } from './names';

const fetchVehicles = (page: PageRequest) => api('admin.vehicles', { query: page });

/** Every registered vehicle, newest first, cursor-paged. */
export function VehiclesTable() {
  const list = usePagedList(fetchVehicles, 25);
  const labels = useMemo(
    () =>
      nameLabels(
        list.items.flatMap((vehicle) =>
          vehicle.driverName === null ? [] : [{ id: vehicle.driverId, name: vehicle.driverName }],
        ),
      ),
    [list.items],
  );
  return (
    <PagedCard
      title="Vehicles"
      list={list}
      empty="No vehicles are registered yet: drivers register one when they sign up."
      moreTestId="vehicles-more"
    >
      <table className="table table--cards" data-testid="vehicles-table">
        <thead>
          <tr>
            <th>Plate</th>
            <th>Type</th>
            <th className="num">Capacity</th>
            <th>Driver</th>
            <th>Registered</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((vehicle) => (
            <tr key={vehicle.id} data-testid="vehicle-row" data-type={vehicle.type}>
              <td data-label="Plate" className="mono">
                {vehicle.plate}
              </td>
              <td data-label="Type">{vehicleLabel(vehicle.type)}</td>
              <td data-label="Capacity" className="num">
                {vehicle.capacityKg.toLocaleString()} kg
              </td>
              <td data-label="Driver" data-testid="vehicle-driver">
                {vehicle.driverName === null ? (
                  <span className="muted">Account removed</span>
                ) : (
                  (labels.get(vehicle.driverId) ?? vehicle.driverName)
                )}
              </td>
              <td data-label="Registered" className="muted">
                {formatTime(vehicle.createdAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PagedCard>
  );
}
