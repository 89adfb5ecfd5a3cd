import { VEHICLE_CAPACITY_KG, VEHICLE_TYPES, type VehicleType } from '@loadline/contracts';

export interface VehicleOption {
  type: VehicleType;
  label: string;
  /** The most it carries (the contract's capacity for the type). */
  capacityKg: number;
}

const LABELS: Readonly<Record<VehicleType, string>> = {
  bike: 'Bike',
  van: 'Van',
  mini_truck: 'Mini truck',
  truck: 'Truck',
};

/** Every vehicle type with its label and capacity, smallest first. */
export const VEHICLES: readonly VehicleOption[] = VEHICLE_TYPES.map((type) => ({
  type,
  label: LABELS[type],
  capacityKg: VEHICLE_CAPACITY_KG[type],
})).toSorted((a, b) => a.capacityKg - b.capacityKg);

export function vehicleLabel(type: VehicleType): string {
  return LABELS[type];
}

/** The next vehicle type up in capacity, or null for the largest: what to offer when no driver took a trip. */
export function largerVehicle(type: VehicleType): VehicleOption | null {
  const index = VEHICLES.findIndex((vehicle) => vehicle.type === type);
  return VEHICLES[index + 1] ?? null;
}
