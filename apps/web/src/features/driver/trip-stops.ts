import type { BookingStatus, BookingStop, StopFailureReason, StopStatus } from '@loadline/contracts';
import { ApiError } from '../../api/client';

interface Point {
  lat: number;
  lng: number;
}

/** A stop still to be worked: not delivered and not failed. */
export function isOpenStop(stop: Pick<BookingStop, 'status'>): boolean {
  return stop.status === 'pending' || stop.status === 'arrived';
}

/**
 * The stop the driver works now: the first one still open, since the server
 * takes stops strictly in order; null when every stop is settled.
 */
export function currentStop<S extends Pick<BookingStop, 'seq' | 'status'>>(stops: readonly S[]): S | null {
  const ordered = [...stops].sort((a, b) => a.seq - b.seq);
  return ordered.find(isOpenStop) ?? null;
}

/**
 * Whether the trip is worked stop by stop (arrive, proof, failed attempts).
 * A one-stop booking keeps the status buttons, the flow every v1 client uses.
 */
export function usesStopFlow(stops: readonly BookingStop[] | undefined): boolean {
  return stops !== undefined && stops.length > 1;
}

/** What the driver may do at a stop. */
export type StopAction = 'arrive' | 'complete' | 'fail';

/**
 * The actions offered at `stop`: only at the current stop, only once the goods
 * are on their way. Arriving comes first; a failed attempt is possible before
 * or after arriving (the recipient may call off the delivery on the way).
 */
export function stopActions(
  tripStatus: BookingStatus,
  stop: Pick<BookingStop, 'seq' | 'status'>,
  current: Pick<BookingStop, 'seq'> | null,
): StopAction[] {
  if (tripStatus !== 'in_transit' || current === null || current.seq !== stop.seq) {
    return [];
  }
  if (stop.status === 'pending') {
    return ['arrive', 'fail'];
  }
  if (stop.status === 'arrived') {
    return ['complete', 'fail'];
  }
  return [];
}

// Six decimals are about 10 cm: links stay short and exact enough to find a door.
function coordinate(value: number): string {
  return String(Number(value.toFixed(6)));
}

/**
 * Driving directions on openstreetmap.org from the driver's position to `to`;
 * with no known position the start is left empty for the site to ask.
 */
export function osmDirectionsUrl(from: Point | null, to: Point): string {
  const start = from === null ? '' : `${coordinate(from.lat)},${coordinate(from.lng)}`;
  const route = `${start};${coordinate(to.lat)},${coordinate(to.lng)}`;
  // Commas and the semicolon are allowed in a query: the link stays readable.
  return `https://www.openstreetmap.org/directions?route=${route}&engine=fossgis_osrm_car`;
}

/** A `geo:` link: the phone offers its own maps and navigation apps. */
export function geoUrl(place: Point): string {
  return `geo:${coordinate(place.lat)},${coordinate(place.lng)}`;
}

/** A `tel:` link: digits and a leading plus only. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

export const STOP_STATUS_LABELS: Record<StopStatus, string> = {
  pending: 'To do',
  arrived: 'Arrived',
  delivered: 'Delivered',
  failed: 'Not delivered',
};

/** The failure reasons as the driver reads them, in the contract's order. */
export const FAILURE_REASON_LABELS: Record<StopFailureReason, string> = {
  recipient_absent: 'Nobody there to take it',
  refused: 'Recipient refused the goods',
  address_not_found: 'Could not find the address',
  damaged: 'Goods damaged',
  other: 'Something else',
};

/** A handover PIN as the server takes it: exactly four digits. */
export function isPin(text: string): boolean {
  return /^\d{4}$/.test(text);
}

/** What went wrong with a handover, sorted by where the screen shows it. */
export type HandoverProblem =
  /** A wrong or missing PIN: shown at the PIN field, which is cleared for another try. */
  | { kind: 'pin'; message: string }
  /** Too many wrong PINs: no PIN works until support unlocks the handover. */
  | { kind: 'locked'; message: string }
  | { kind: 'far'; message: string }
  | { kind: 'other'; message: string };

// The PIN codes are newer than some clients' lists of codes: the status tells them apart as well.
const PIN_LOCKED_STATUS = 423;

function numberIn(details: Record<string, unknown> | undefined, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = details?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      return value;
    }
  }
  return null;
}

function triesText(left: number): string {
  return left === 1 ? '1 try left' : `${left} tries left`;
}

/**
 * The words for a failed handover or stop move, from the error the API client
 * threw; `place` names where the driver is too far from.
 */
export function handoverProblem(error: unknown, place = 'this stop'): HandoverProblem {
  if (!(error instanceof ApiError)) {
    return { kind: 'other', message: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const code: string = error.code;
  if (code === 'pin_locked' || error.status === PIN_LOCKED_STATUS) {
    return { kind: 'locked', message: 'Locked: ask support to unlock' };
  }
  if (code === 'invalid_pin') {
    const left = numberIn(error.details, ['triesLeft']);
    // The last wrong try locks the handover: the next PIN, even the right one, is refused.
    if (left !== null && left <= 0) {
      return { kind: 'locked', message: 'Wrong PIN. Locked: ask support to unlock' };
    }
    return {
      kind: 'pin',
      message: left === null ? 'Wrong PIN. Ask the recipient for it again.' : `Wrong PIN, ${triesText(left)}`,
    };
  }
  if (code === 'too_far_from_stop') {
    const distance = numberIn(error.details, ['distanceM']);
    return {
      kind: 'far',
      message:
        distance === null
          ? error.message
          : `You are ${Math.round(distance).toLocaleString()} m from ${place}`,
    };
  }
  return { kind: 'other', message: error.message };
}
