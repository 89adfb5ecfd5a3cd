import { api } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { formatTime } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';

const fetchVehicles = (page: PageRequest) => api('admin.vehicles', { query: page });

/** Every registered vehicle, newest first, cursor-paged. */
export function VehiclesTable() {
  const list = usePagedList(fetchVehicles, 25);
  return (
    <PagedCard
      title="Vehicles"
      list={list}
      empty="No vehicles are registered yet: drivers register one when they sign up."
      moreTestId="vehicles-more"
    >
      <table className="table" data-testid="vehicles-table">
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
              <td className="mono">{vehicle.plate}</td>
              <td>{vehicleLabel(vehicle.type)}</td>
              <td className="num">{vehicle.capacityKg.toLocaleString()} kg</td>
              <td className="mono">#{vehicle.driverId}</td>
              <td className="muted">{formatTime(vehicle.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PagedCard>
  );
}
