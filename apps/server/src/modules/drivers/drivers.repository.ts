import type { Selectable } from 'kysely';
import type { DriversTable, VehiclesTable } from '../../platform/db/schema';
import type { Executor } from '../users/users.repository';

export type DriverRow = Selectable<DriversTable>;
export type VehicleRow = Selectable<VehiclesTable>;

export interface DriverWithVehicle {
  driver: DriverRow;
  vehicle: VehicleRow;
}

/** Driver profiles and their vehicles, on the driver's shard. */
export class DriversRepository {
  async insert(db: Executor, driver: DriverRow, vehicle: VehicleRow): Promise<void> {
    await db.insertInto('vehicles').values(vehicle).execute();
    await db.insertInto('drivers').values(driver).execute();
  }

  async exists(db: Executor, userId: string): Promise<boolean> {
    const row = await db.selectFrom('drivers').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  }

  async findWithVehicle(db: Executor, userId: string): Promise<DriverWithVehicle | undefined> {
    const driver = await db.selectFrom('drivers').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (driver === undefined) {
      return undefined;
    }
    const vehicle = await db
      .selectFrom('vehicles')
      .selectAll()
      .where('id', '=', driver.vehicle_id)
      .executeTakeFirstOrThrow();
    return { driver, vehicle };
  }
}
