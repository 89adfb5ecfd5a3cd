import type { User, VehicleType } from '@loadline/contracts';
import type { UserRow } from './users.repository';

/** A driver account's own facts, as the drivers repository reads them (flags are 0 or 1). */
export interface DriverFacts {
  vehicle: { id: string; type: VehicleType; plate: string; capacity_kg: number };
  driver: { online: number; suspended: number };
}

/** The public shape of a user; never includes the password hash. */
export function presentUser(row: UserRow, driver?: DriverFacts): User {
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
