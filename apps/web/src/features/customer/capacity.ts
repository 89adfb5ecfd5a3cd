import type { Goods, VehicleType } from '@loadline/contracts';
import { VEHICLES, type VehicleOption } from '../../domain/vehicles';

export interface GoodsCheck {
  /** What to send with the booking: null when the customer left both fields empty, or they are invalid. */
  goods: Goods | null;
  /** The typed weight when it is a positive number, else null. */
  weightKg: number | null;
  descriptionError: string | null;
  weightError: string | null;
  /** The smallest vehicle that carries the weight, when the chosen one cannot. */
  larger: VehicleOption | null;
  /** The weight is more than the chosen vehicle carries and a larger one would: no price until it fits. */
  overCapacity: boolean;
  valid: boolean;
}

const MAX_WEIGHT_KG = Math.max(...VEHICLES.map((v) => v.capacityKg));

/** A positive, finite weight in kg from the field's text; null for anything else. */
export function parseWeight(text: string): number | null {
  const trimmed = text.trim();
  const weightKg = Number(trimmed);
  return trimmed !== '' && Number.isFinite(weightKg) && weightKg > 0 ? weightKg : null;
}

/** The vehicle is too small for the weight (nothing is too small before a weight is typed). */
export function tooSmall(vehicle: VehicleOption, weightKg: number | null): boolean {
  return weightKg !== null && weightKg > vehicle.capacityKg;
}

/**
 * Whether `weightKg` fits the vehicle; else a message naming the smallest
 * vehicle that carries it (`larger`, null when none does). `together` words the
 * message for the goods of several stops added up.
 */
export function capacityCheck(
  weightKg: number,
  vehicleType: VehicleType,
  together = false,
): { error: string | null; larger: VehicleOption | null } {
  const vehicle = VEHICLES.find((v) => v.type === vehicleType);
  if (vehicle === undefined || !tooSmall(vehicle, weightKg)) {
    return { error: null, larger: null };
  }
  const larger = VEHICLES.find((v) => v.capacityKg >= weightKg) ?? null;
  const weight = `${weightKg.toLocaleString()} kg${together ? ' (every stop together)' : ''}`;
  const error =
    larger === null
      ? `${weight} is more than any vehicle carries (${MAX_WEIGHT_KG.toLocaleString()} kg at most): split the load into several bookings.`
      : `A ${vehicle.label.toLowerCase()} carries up to ${vehicle.capacityKg.toLocaleString()} kg. For ${weight} choose a ${larger.label.toLowerCase()} or larger.`;
  return { error, larger };
}

/**
 * Goods are optional; when given, both fields are needed and the weight must
 * fit the vehicle (the contract's capacity per vehicle type), else the message
 * names the smallest vehicle that carries it.
 */
export function checkGoods(description: string, weightText: string, vehicleType: VehicleType): GoodsCheck {
  const text = description.trim();
  const weightTrimmed = weightText.trim();
  const weightKg = parseWeight(weightText);
  if (text === '' && weightTrimmed === '') {
    return {
      goods: null,
      weightKg: null,
      descriptionError: null,
      weightError: null,
      larger: null,
      overCapacity: false,
      valid: true,
    };
  }
  let weightError: string | null = null;
  let larger: VehicleOption | null = null;
  if (weightTrimmed === '') {
    weightError = 'Enter the approximate weight in kg.';
  } else if (weightKg === null) {
    weightError = 'Enter the weight in kg as a number, e.g. 120.';
  } else {
    const fits = capacityCheck(weightKg, vehicleType);
    weightError = fits.error;
    larger = fits.larger;
  }
  const descriptionError = text === '' ? 'Say what you are sending, e.g. "12 cartons of books".' : null;
  const valid = weightError === null && descriptionError === null;
  return {
    goods: valid && weightKg !== null ? { description: text, weightKg } : null,
    weightKg,
    descriptionError,
    weightError,
    larger,
    overCapacity: weightKg !== null && larger !== null,
    valid,
  };
}
