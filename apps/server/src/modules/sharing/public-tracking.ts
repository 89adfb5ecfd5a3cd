import type { BookingStatus, StopStatus, TrackStop } from '@loadline/contracts';
import type { SharedBookingRow } from './sharing.repository';

/** A link lives at most this long from its creation... */
export const LINK_MAX_MS = 7 * 24 * 3600_000;
/** ...and no longer than this after its booking ends. */
export const LINK_AFTER_END_MS = 3600_000;

/** When the booking ended (delivered, cancelled, expired), or null while it has not. */
function endedAt(booking: SharedBookingRow): number | null {
  switch (booking.status) {
    case 'delivered':
      return booking.delivered_at ?? booking.updated_at;
    case 'cancelled':
      return booking.cancelled_at ?? booking.updated_at;
    case 'expired':
      // An expiry sets no column of its own, and nothing updates an expired booking after it.
      return booking.updated_at;
    default:
      return null;
  }
}

/** The moment a link stops working: its stored maximum, or an hour after its booking ended if sooner. */
export function linkExpiry(maxExpiresAt: number, booking: SharedBookingRow): number {
  const ended = endedAt(booking);
  return ended === null ? maxExpiresAt : Math.min(maxExpiresAt, ended + LINK_AFTER_END_MS);
}

/** A v1 booking's one stop is delivered with the booking; until then (or if it never is) it is pending. */
function dropoffStatus(status: BookingStatus): StopStatus {
  return status === 'delivered' ? 'delivered' : 'pending';
}

/**
 * The booking's stops in order, as a recipient follows them: the stored ones
 * (ADR 0027), or for a booking made before stops were stored one, its
 * drop-off, seq 1, delivered with the booking.
 */
export function stopsOf(
  booking: Pick<SharedBookingRow, 'status'>,
  stored: readonly TrackStop[] = [],
): TrackStop[] {
  return stored.length > 0 ? [...stored] : [{ seq: 1, status: dropoffStatus(booking.status) }];
}

/** The first word of a driver's name: what a stranger holding the link may see. */
export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}
