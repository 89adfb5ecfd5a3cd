import type { AdminVehicle } from '@loadline/contracts';
import { usePagedList } from '../../api/use-paged-list';
import { Card, Empty, ErrorBanner, formatTime, Spinner, vehicleLabel } from '../../components/ui';

/** Every registered vehicle, newest first, cursor-paged. */
export function VehiclesTable() {
  const list = usePagedList<AdminVehicle>('/v1/admin/vehicles', 25);
  return (
    <Card
      title="Vehicles"
      actions={
        <button
          type="button"
          className="btn btn--ghost btn--small"
          onClick={list.reload}
          disabled={list.loading}
        >
          Refresh
        </button>
      }
    >
      {list.error !== null && <ErrorBanner message={list.error} onRetry={list.retry} />}
      {list.loaded && !list.loading && list.items.length === 0 && list.error === null && (
        <Empty>No vehicles are registered yet: drivers register one when they sign up.</Empty>
      )}
      {list.items.length > 0 && (
        <div className="table-wrap">
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
        </div>
      )}
      {list.loading && <Spinner />}
      {!list.loading && list.cursor !== null && (
        <button type="button" className="btn btn--ghost btn--block" onClick={list.more}>
          Load more
        </button>
      )}
    </Card>
  );
}
