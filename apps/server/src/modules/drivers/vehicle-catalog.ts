import type { VehicleType } from '@loadline/contracts';

/** The most a vehicle of each type may be registered to carry, and the default when none is given. */
export const VEHICLE_CAPACITY_KG: Readonly<Record<VehicleType, number>> = {
  bike: 20,
  van: 750,
  mini_truck: 1500,
  truck: 10_000,
};

/** Plates compare without case, spaces or dashes: "ka 01-ab 1234" and "KA01AB1234" are one plate. */
export function normalizePlate(plate: string): string {
  return plate.toUpperCase().replace(/[\s-]+/g, '');
}
