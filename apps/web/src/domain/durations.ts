import type { BookingStatus } from '@loadline/contracts';
import { driverHeadsFor } from './booking-status';

/**
 * A duration in minutes as people read it: "45 min", "3 h 20 min", "2 h",
 * "1 d 4 h"; "under 1 min" below a minute; "—" when unknown.
 */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) {
    return '—';
  }
  const whole = Math.round(minutes);
  if (whole < 1) {
    return 'under 1 min';
  }
  if (whole < 60) {
    return `${whole} min`;
  }
  const days = Math.floor(whole / 1440);
  const hours = Math.floor((whole % 1440) / 60);
  const rest = whole % 60;
  if (days > 0) {
    return hours === 0 ? `${days} d` : `${days} d ${hours} h`;
  }
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** What a live ETA counts down to: the pickup until the goods are on board, then the drop-off. */
export function etaLabel(status: BookingStatus): string | null {
  const heading = driverHeadsFor(status);
  return heading === 'pickup' ? 'ETA to pickup' : heading === 'dropoff' ? 'ETA to drop-off' : null;
}

/** The ETA as shown: whole minutes, at least one while the driver is on the way; "Arrived" once there. */
export function formatEta(status: BookingStatus, etaMinutes: number | null): string {
  if (status === 'arrived_at_pickup') {
    return 'Arrived';
  }
  return etaMinutes === null ? '—' : formatMinutes(Math.max(1, etaMinutes));
}
