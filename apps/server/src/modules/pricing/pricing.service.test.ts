import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors';
import { VEHICLE_CAPACITY_KG } from '../drivers/vehicle-catalog';
import { assertCapacity } from './pricing.service';

describe('assertCapacity', () => {
  it('accepts goods up to the capacity of the vehicle type', () => {
    expect(() => assertCapacity('bike', VEHICLE_CAPACITY_KG.bike)).not.toThrow();
    expect(() => assertCapacity('truck', 9_999.5)).not.toThrow();
  });

  it('refuses heavier goods with 422 over_capacity, naming the capacity and the weight', () => {
    let caught: unknown;
    try {
      assertCapacity('van', 750.5);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect({ status: error.status, code: error.code, details: error.details, expose: error.expose }).toEqual({
      status: 422,
      code: 'over_capacity',
      details: { capacityKg: 750, weightKg: 750.5 },
      expose: true,
    });
    expect(error.message).toBe('A van carries at most 750 kg; choose a larger vehicle.');
  });
});
