import {
  BOOKING_STATUSES,
  type Booking,
  type BookingEvent,
  type BookingPins,
  type BookingStatus,
  type BookingStop,
  type StopFailureReason,
  type StopStatus,
} from '@loadline/contracts';
import type { MapMarker } from '../../components/map-view';

const STOP_STATUS_LABELS: Readonly<Record<StopStatus, string>> = {
  pending: 'Pending',
  arrived: 'Driver there',
  delivered: 'Delivered',
  failed: 'Not delivered',
};

const FAILURE_LABELS: Readonly<Record<StopFailureReason, string>> = {
  recipient_absent: 'Nobody there to take it',
  refused: 'Refused by the recipient',
  address_not_found: 'Address not found',
  damaged: 'Goods damaged',
  other: 'Another reason',
};

export function stopStatusLabel(status: StopStatus): string {
  return STOP_STATUS_LABELS[status];
}

export function failureReasonLabel(reason: StopFailureReason): string {
  return FAILURE_LABELS[reason];
}

/** The pickup's number among handovers (a PIN's `handover`, an event's `stopSeq`). */
export const PICKUP_HANDOVER = 0;

const at = (status: BookingStatus) => BOOKING_STATUSES.indexOf(status);

/** The goods are on board: the pickup is behind the driver. */
function pastPickup(status: BookingStatus): boolean {
  return status === 'delivered' || (at(status) >= at('goods_collected') && at(status) <= at('in_transit'));
}

/** A booking's stops in order (an answer without them, from before v1.1, has none). */
export function stopsOf(booking: Pick<Booking, 'stops'>): BookingStop[] {
  return [...(booking.stops ?? [])].sort((a, b) => a.seq - b.seq);
}

/**
 * The handover the driver works towards: the pickup (0) until the goods are
 * collected, then the first stop neither delivered nor failed; null when the
 * trip is not on (before assignment, or ended).
 */
export function nextHandover(booking: Pick<Booking, 'status' | 'stops'>): number | null {
  const { status } = booking;
  if (at(status) >= at('driver_assigned') && at(status) < at('goods_collected')) {
    return PICKUP_HANDOVER;
  }
  if (status !== 'goods_collected' && status !== 'in_transit') {
    return null;
  }
  return stopsOf(booking).find((stop) => stop.status === 'pending' || stop.status === 'arrived')?.seq ?? null;
}

export interface PinRow {
  handover: number;
  label: string;
  /** Null while the handover is locked (the server keeps its PIN back) or none is known. */
  pin: string | null;
  state: 'next' | 'waiting' | 'done' | 'locked';
}

/** The name of a handover: the pickup, or a stop (numbered when there are several). */
export function handoverLabel(handover: number, stopCount: number): string {
  if (handover === PICKUP_HANDOVER) {
    return 'Pickup';
  }
  return stopCount === 1 ? 'Drop-off' : `Stop ${handover}`;
}

/**
 * Each handover's PIN to pass on, in order, with where it stands: the one
 * the driver heads for next, later ones, those done (their PIN no longer
 * needed) and those locked by wrong tries until an admin unlocks them.
 */
export function pinRows(pins: BookingPins, booking: Pick<Booking, 'status' | 'stops'>): PinRow[] {
  const stops = stopsOf(booking);
  const locked = new Set(pins.locked ?? []);
  const next = nextHandover(booking);
  const stateOf = (handover: number, done: boolean): PinRow['state'] =>
    locked.has(handover) ? 'locked' : done ? 'done' : handover === next ? 'next' : 'waiting';
  const rows: PinRow[] = [];
  if (pins.pickup !== null || locked.has(PICKUP_HANDOVER)) {
    rows.push({
      handover: PICKUP_HANDOVER,
      label: handoverLabel(PICKUP_HANDOVER, stops.length),
      pin: pins.pickup,
      state: stateOf(PICKUP_HANDOVER, pastPickup(booking.status)),
    });
  }
  const stopPins = new Map(pins.stops.map((entry) => [entry.seq, entry.pin]));
  const seqs = new Set([
    ...stopPins.keys(),
    ...[...locked].filter((handover) => handover !== PICKUP_HANDOVER),
  ]);
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const stop = stops.find((candidate) => candidate.seq === seq);
    rows.push({
      handover: seq,
      label: handoverLabel(seq, stops.length),
      pin: stopPins.get(seq) ?? null,
      state: stateOf(seq, stop?.status === 'delivered' || stop?.status === 'failed'),
    });
  }
  return rows;
}

/** Events that record a stop's move or a PIN's use rather than a status change. */
export function handoverEvents(events: readonly BookingEvent[]): BookingEvent[] {
  return events.filter((event) => event.type !== undefined);
}

/** Only the status changes: what the status timeline draws. */
export function statusEvents(events: readonly BookingEvent[]): BookingEvent[] {
  return events.filter((event) => event.type === undefined);
}

/** One line for a stop or PIN event (`stopSeq` 0 or absent on a PIN event is the pickup). */
export function handoverEventLabel(event: BookingEvent, stopCount: number): string {
  const where = (seq: number | undefined) =>
    seq === undefined || seq === PICKUP_HANDOVER
      ? 'the pickup'
      : stopCount === 1
        ? 'the drop-off'
        : `stop ${seq}`;
  switch (event.type) {
    case 'stop_arrived':
      return `Driver arrived at ${where(event.stopSeq)}`;
    case 'stop_completed':
      return `Goods handed over at ${where(event.stopSeq)}`;
    case 'stop_failed':
      return `Could not deliver at ${where(event.stopSeq)}`;
    case 'pin_rejected':
      return `Wrong PIN typed at ${where(event.stopSeq)}`;
    case 'pin_locked':
      return `PIN locked at ${where(event.stopSeq)} after too many wrong tries`;
    case 'pins_unlocked':
      return event.stopSeq === undefined ? 'Locked PINs unlocked' : `PIN unlocked at ${where(event.stopSeq)}`;
    case undefined:
      return 'Status changed';
  }
}

/**
 * Map pins for the pickup and each stop: numbered when there are several, the
 * one the driver heads for marked; each stop's pin has the test ID `<testIdPrefix>-<seq>`.
 */
export function tripMarkers(
  booking: Pick<Booking, 'status' | 'pickup' | 'dropoff' | 'stops'>,
  testIdPrefix: string,
): MapMarker[] {
  const stops = stopsOf(booking);
  if (stops.length <= 1) {
    return [
      { id: 'pickup', kind: 'pickup', position: booking.pickup, label: 'Pickup' },
      { id: 'dropoff', kind: 'dropoff', position: booking.dropoff, label: 'Drop-off' },
    ];
  }
  const next = nextHandover(booking);
  return [
    { id: 'pickup', kind: 'pickup', position: booking.pickup, label: 'Pickup', highlighted: next === 0 },
    ...stops.map((stop): MapMarker => ({
      id: `stop-${stop.seq}`,
      kind: 'dropoff',
      position: stop.location,
      label: `Stop ${stop.seq}`,
      text: String(stop.seq),
      highlighted: stop.seq === next,
      testId: `${testIdPrefix}-${stop.seq}`,
    })),
  ];
}
