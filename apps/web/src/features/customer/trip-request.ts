import {
  Phone,
  type Coordinates,
  type Goods,
  type StopRecipient,
  type StopRequest,
  type VehicleType,
} from '@loadline/contracts';
import { VEHICLES, type VehicleOption } from '../../domain/vehicles';
import { capacityCheck, checkGoods, type GoodsCheck } from './capacity';
import { hasRecipient, stopLabel, type StopDraft } from './stop-list';

const PHONE = new RegExp(Phone.pattern ?? '');
const LARGEST = VEHICLES[VEHICLES.length - 1]?.type ?? 'truck';

export interface TripGoodsCheck {
  /** Each stop's goods fields, in order. */
  stops: GoodsCheck[];
  /** Every stop's weight added up; null before any weight is typed. */
  weightKg: number | null;
  /** With several stops: their goods together do not fit the vehicle. */
  totalError: string | null;
  /** The smallest vehicle that carries the load, when the chosen one cannot. */
  larger: VehicleOption | null;
  overCapacity: boolean;
  valid: boolean;
}

/**
 * The goods of every stop. One stop is checked as a v1 booking's goods are
 * (its weight against the vehicle); with several, each stop's fields are
 * checked on their own and the vehicle must carry them all together.
 */
export function checkTripGoods(stops: readonly StopDraft[], vehicleType: VehicleType): TripGoodsCheck {
  if (stops.length === 1 && stops[0] !== undefined) {
    const only = checkGoods(stops[0].description, stops[0].weightText, vehicleType);
    return {
      stops: [only],
      weightKg: only.weightKg,
      totalError: null,
      larger: only.larger,
      overCapacity: only.overCapacity,
      valid: only.valid,
    };
  }
  // A single stop heavier than any vehicle is its own error; the vehicle is judged on the total below.
  const checks = stops.map((stop) => checkGoods(stop.description, stop.weightText, LARGEST));
  const weights = checks.flatMap((check) => (check.weightKg === null ? [] : [check.weightKg]));
  const weightKg = weights.length === 0 ? null : weights.reduce((sum, kg) => sum + kg, 0);
  const total =
    weightKg === null ? { error: null, larger: null } : capacityCheck(weightKg, vehicleType, true);
  return {
    stops: checks,
    weightKg,
    totalError: total.error,
    larger: total.larger,
    overCapacity: total.error !== null,
    valid: total.error === null && checks.every((check) => check.valid),
  };
}

/** Who takes a stop's goods, as sent; an error when a phone is typed without a name or does not parse. */
export function stopRecipient(
  stop: StopDraft,
  label: string,
): { recipient: StopRecipient | null } | { error: string } {
  if (!hasRecipient(stop)) {
    return { recipient: null };
  }
  const name = stop.recipientName.trim();
  const phone = stop.recipientPhone.trim();
  if (name === '') {
    return { error: `${label}: add the recipient's name with their phone.` };
  }
  if (phone !== '' && !PHONE.test(phone)) {
    return { error: `${label}: the recipient's phone needs 6 to 15 digits, e.g. +91 98450 12345.` };
  }
  return { recipient: phone === '' ? { name } : { name, phone } };
}

/** Stops are sent when there is more than one drop-off or a recipient is named; else the v1 `dropoff`. */
export function usesStops(stops: readonly StopDraft[]): boolean {
  return stops.length > 1 || stops.some(hasRecipient);
}

export type TripRequest =
  | {
      /** The quote's places: `dropoff` (v1) or `stops`. */
      trip: { pickup: Coordinates; dropoff: Coordinates } | { pickup: Coordinates; stops: StopRequest[] };
      /** The booking's own goods: only a v1 trip has them (with stops they travel on each stop). */
      goods: Goods | null;
    }
  | { error: string };

/**
 * What the quote and the booking send for the places and goods; an error to
 * show when a place is missing or a recipient is incomplete. Goods must have
 * been checked (`checkTripGoods(...).valid`) before.
 */
export function buildTripRequest(
  pickup: Coordinates | null,
  stops: readonly StopDraft[],
  goods: TripGoodsCheck,
): TripRequest {
  const missing = stops.findIndex((stop) => stop.place === null);
  if (pickup === null || missing >= 0 || stops.length === 0) {
    return {
      error:
        stops.length > 1 && pickup !== null
          ? `Set ${stopLabel(missing, stops.length)}: search a place, click the map or type "lat, lng".`
          : 'Set both pickup and drop-off: search a place, click the map or type "lat, lng".',
    };
  }
  if (!usesStops(stops)) {
    const [only] = stops;
    if (only?.place === null || only === undefined) {
      return { error: 'Set the drop-off.' };
    }
    return { trip: { pickup, dropoff: only.place }, goods: goods.stops[0]?.goods ?? null };
  }
  const requests: StopRequest[] = [];
  for (const [index, stop] of stops.entries()) {
    const recipient = stopRecipient(stop, stopLabel(index, stops.length));
    if ('error' in recipient) {
      return { error: recipient.error };
    }
    if (stop.place === null) {
      return { error: `Set ${stopLabel(index, stops.length)}.` };
    }
    const stopGoods = goods.stops[index]?.goods ?? null;
    requests.push({
      location: stop.place,
      ...(stopGoods === null ? {} : { goods: stopGoods }),
      ...(recipient.recipient === null ? {} : { recipient: recipient.recipient }),
    });
  }
  return { trip: { pickup, stops: requests }, goods: null };
}
