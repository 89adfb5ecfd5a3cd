import type {
  Analytics,
  FailedStopsByReason,
  StopFailureReason,
  VehicleType,
  VehicleTypeFigures,
} from '@loadline/contracts';
import { STOP_FAILURE_REASONS } from '@loadline/contracts';
import { VEHICLES } from '../../domain/vehicles';
import { daysBetween } from './format';

export interface DayRow {
  day: string;
  bookings: number;
  completed: number;
  expired: number;
}

/** One row per UTC day of the range; days the API left out count zero. */
export function dayRows(analytics: Analytics): DayRow[] {
  const byDay = new Map(analytics.bookingsPerDay.map((d) => [d.day, d]));
  return daysBetween(analytics.from, analytics.to).map((day) => ({
    day,
    bookings: byDay.get(day)?.count ?? 0,
    completed: byDay.get(day)?.completed ?? 0,
    expired: byDay.get(day)?.expired ?? 0,
  }));
}

export type VehicleRow = VehicleTypeFigures & { label: string };

/** Every vehicle type in catalogue order, zero where the range had none. */
export function vehicleRows(figures: readonly VehicleTypeFigures[]): VehicleRow[] {
  const byType = new Map<VehicleType, VehicleTypeFigures>(figures.map((f) => [f.vehicleType, f]));
  return VEHICLES.map((vehicle) => ({
    vehicleType: vehicle.type,
    bookings: 0,
    tripsCompleted: 0,
    cancelled: 0,
    expired: 0,
    revenue: 0,
    avgTripMinutes: null,
    ...byType.get(vehicle.type),
    label: vehicle.label,
  }));
}

/** Stop failure reasons as operators read them. */
export const FAILURE_REASON_LABELS: Readonly<Record<StopFailureReason, string>> = {
  recipient_absent: 'Recipient absent',
  refused: 'Refused',
  address_not_found: 'Address not found',
  damaged: 'Damaged',
  other: 'Other',
};

export interface ReasonRow {
  reason: StopFailureReason;
  label: string;
  count: number;
}

/** Every reason in the contract's order, zero where the answer has none. */
export function reasonRows(byReason: FailedStopsByReason): ReasonRow[] {
  const counts = new Map(byReason.map((entry) => [entry.reason, entry.count]));
  return STOP_FAILURE_REASONS.map((reason) => ({
    reason,
    label: FAILURE_REASON_LABELS[reason],
    count: counts.get(reason) ?? 0,
  }));
}

/** A driver's failures in words, most first, leaving out reasons with none: "Refused 3 · Damaged 1". */
export function reasonSummary(byReason: FailedStopsByReason): string {
  return (
    reasonRows(byReason)
      .filter((row) => row.count > 0)
      .toSorted((a, b) => b.count - a.count)
      // A no-break space keeps each reason with its count when the line wraps.
      .map((row) => `${row.label}\u00a0${row.count}`)
      .join(' · ')
  );
}
