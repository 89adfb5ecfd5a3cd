import type { User } from '@loadline/contracts';
import type { DriverWithVehicle } from '../drivers/drivers.repository';
import type { UserRow } from './users.repository';

/** The public shape of a user; never includes the password hash. */
export function presentUser(row: UserRow, driver?: DriverWithVehicle): User {
  const user: User = {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    role: row.role,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (driver !== undefined) {
    user.driver = {
      vehicle: {
        id: driver.vehicle.id,
        type: driver.vehicle.type,
        plate: driver.vehicle.plate,
        capacityKg: driver.vehicle.capacity_kg,
      },
      online: driver.driver.online === 1,
      suspended: driver.driver.suspended === 1,
    };
  }
  return user;
}
