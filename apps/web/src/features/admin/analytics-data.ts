import type { Analytics, VehicleType, VehicleTypeFigures } from '@loadline/contracts';
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
