import type { ShardRouter } from '../../platform/db/shard-router';
import type { DriverCard, DriverDirectory } from '../bookings/bookings.service';
import type { DriversRepository } from './drivers.repository';

/** The bookings module's `DriverDirectory`: a driver's name, phone and vehicle, read on the driver's shard. */
export class DriverCards implements DriverDirectory {
  constructor(private readonly deps: { router: ShardRouter; drivers: Pick<DriversRepository, 'card'> }) {}

  async card(driverId: string): Promise<DriverCard | null> {
    const row = await this.deps.drivers.card(this.deps.router.forId(driverId).db, driverId);
    return row === undefined
      ? null
      : { name: row.name, phone: row.phone, vehicle: { type: row.type, plate: row.plate } };
  }
}
