import { describe, expect, it } from 'vitest';
import { largerVehicle, vehicleLabel, VEHICLES } from './vehicles';

describe('vehicles', () => {
  it('lists every type, smallest first, with the contract capacities', () => {
    expect(VEHICLES).toEqual([
      { type: 'bike', label: 'Bike', capacityKg: 20 },
      { type: 'van', label: 'Van', capacityKg: 750 },
      { type: 'mini_truck', label: 'Mini truck', capacityKg: 1500 },
      { type: 'truck', label: 'Truck', capacityKg: 10_000 },
    ]);
    expect(vehicleLabel('mini_truck')).toBe('Mini truck');
  });

  it('the next size up of each type, none above the truck', () => {
    expect(largerVehicle('bike')?.type).toBe('van');
    expect(largerVehicle('van')?.type).toBe('mini_truck');
    expect(largerVehicle('mini_truck')?.type).toBe('truck');
    expect(largerVehicle('truck')).toBeNull();
  });
});
