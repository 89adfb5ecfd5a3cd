import { isActiveTripStatus } from '@loadline/contracts';
import {
  bookingContributions,
  sumBookingDeltas,
  sumDriverDeltas,
} from '../src/modules/analytics/contributions';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BookingStatusChangedPayload } from '../src/modules/events/booking-events';
import { transitionsFrom } from '../src/modules/bookings/booking-state';
import { recipientsOf } from '../src/modules/notifications/notifications.service';
import { searchDeadline, type Profile } from './profile';
import type { BookingRow, EventRow, Snapshot } from './snapshot';

const STATUS_CHANGED = 'booking.status_changed';
const statusChanged = TypeCompiler.Compile(BookingStatusChangedPayload);

/** One broken rule about one thing. */
export interface Finding {
  readonly invariant: string;
  readonly subject: string;
}

export interface CheckOptions {
  readonly profile: Profile;
  /** Events younger than this need not be published yet (the relay runs after the commit). */
  readonly settleMs: number;
  /**
   * Events younger than this need not be consumed yet: a consumer that died
   * mid-event has it delivered again once the relay's redelivery time passed.
   */
  readonly consumeMs: number;
  /** Load has stopped and work drained: the claim and roll-up checks apply too. */
  readonly final: boolean;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list === undefined) {
      groups.set(key(item), [item]);
    } else {
      list.push(item);
    }
  }
  return groups;
}

/** Seq 1..n with no gap, a legal first status and legal moves, and the booking row at its latest event. */
function eventsInOrder(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  const byBooking = groupBy(snapshot.events, (event) => event.bookingId);
  for (const booking of snapshot.bookings) {
    const events: EventRow[] = [...(byBooking.get(booking.id) ?? [])].sort((a, b) => a.seq - b.seq);
    const fail = (why: string): void => {
      findings.push({
        invariant: 'legal moves and seq 1..n',
        subject: `${booking.id}: ${why}`,
      });
    };
    if (events.some((event, index) => event.seq !== index + 1)) {
      fail(`seqs ${events.map((event) => event.seq).join(',')}`);
      continue;
    }
    const first = events[0];
    if (first === undefined || (first.status !== 'searching' && first.status !== 'scheduled')) {
      fail(`starts ${first?.status ?? 'with no event'}`);
      continue;
    }
    for (let index = 1; index < events.length; index += 1) {
      const from = events[index - 1]?.status;
      const to = events[index]?.status;
      if (from !== undefined && to !== undefined && !transitionsFrom(from).some((move) => move.to === to)) {
        fail(`${from} -> ${to} at seq ${index + 1}`);
      }
    }
    // Events were read after the booking, so the booking's seq is there and may be behind the newest.
    const atSeq = events[booking.seq - 1];
    if (atSeq?.status !== booking.status) {
      fail(`row says ${booking.status} at seq ${booking.seq}, event says ${atSeq?.status ?? 'nothing'}`);
    }
  }
  return findings;
}

/** Nothing searching past its last wave (plus a sweep's minute), nothing scheduled past its time. */
function nothingOverdue(snapshot: Snapshot, profile: Profile): Finding[] {
  const now = snapshot.takenAt;
  return snapshot.bookings.flatMap((booking): Finding[] => {
    if (booking.status === 'searching') {
      const started = booking.searchStartedAt ?? booking.createdAt;
      return searchDeadline(profile, started) < now
        ? [{ invariant: 'nothing overdue in searching', subject: booking.id }]
        : [];
    }
    if (booking.status === 'scheduled' && (booking.scheduledAt ?? now) + profile.overdueGraceMs < now) {
      return [{ invariant: 'nothing overdue in scheduled', subject: booking.id }];
    }
    return [];
  });
}

/**
 * Every settled outbox event published and, once old enough for a redelivery,
 * consumed; and every consumed event's effects present: the notifications its
 * recipients get and the driver's trip row at its seq.
 */
function outboxConsumed(snapshot: Snapshot, options: CheckOptions): Finding[] {
  const findings: Finding[] = [];
  for (const row of snapshot.outbox) {
    const age = snapshot.takenAt - row.createdAt;
    if (row.publishedAt === null && age > options.settleMs) {
      findings.push({ invariant: 'every outbox event published', subject: `${row.topic} ${row.id}` });
    }
    if (row.consumedAt === null && age > options.consumeMs) {
      findings.push({ invariant: 'every outbox event consumed', subject: `${row.topic} ${row.id}` });
    }
  }
  const settled = snapshot.outbox.filter((row) => row.consumedAt !== null);
  const trips = new Map(snapshot.driverTrips.map((trip) => [`${trip.driverId}:${trip.bookingId}`, trip]));
  const newestForDriver = new Map<string, { seq: number; to: string }>();
  for (const row of settled) {
    if (row.topic !== STATUS_CHANGED) {
      continue;
    }
    const change: unknown = JSON.parse(row.payload);
    if (!statusChanged.Check(change)) {
      findings.push({ invariant: 'outbox payloads valid', subject: row.id });
      continue;
    }
    for (const recipient of recipientsOf(change)) {
      if (!snapshot.notificationKeys.has(`${row.id}:${recipient.userId}`)) {
        findings.push({
          invariant: 'notifications in step',
          subject: `${recipient.type} for ${change.bookingId} seq ${change.seq}`,
        });
      }
    }
    if (change.driverId !== null) {
      const key = `${change.driverId}:${change.bookingId}`;
      const seen = newestForDriver.get(key);
      if (seen === undefined || seen.seq < change.seq) {
        newestForDriver.set(key, { seq: change.seq, to: change.to });
      }
    }
  }
  for (const [key, newest] of newestForDriver) {
    const trip = trips.get(key);
    const expected = newest.to === 'searching' ? 'cancelled' : newest.to;
    if (
      trip === undefined ||
      trip.seq < newest.seq ||
      (trip.seq === newest.seq && trip.status !== expected)
    ) {
      findings.push({
        invariant: 'driver trips in step',
        subject: `${key} at ${trip === undefined ? 'no row' : `${trip.status}/${trip.seq}`}, want ${expected}/${newest.seq}`,
      });
    }
  }
  return findings;
}

/** One driver per active booking, holding its claim; one active booking per driver. */
function claimsHeld(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  const drivers = new Map(snapshot.drivers.map((driver) => [driver.id, driver]));
  const bookings = new Map(snapshot.bookings.map((booking) => [booking.id, booking]));
  const active = snapshot.bookings.filter((booking) => isActiveTripStatus(booking.status));
  for (const booking of active) {
    const holder = booking.driverId === null ? undefined : drivers.get(booking.driverId);
    if (holder?.activeBookingId !== booking.id) {
      findings.push({
        invariant: 'one driver per booking',
        subject: `${booking.id} (${booking.status}) driver ${booking.driverId ?? 'none'} holds ${holder?.activeBookingId ?? 'nothing'}`,
      });
    }
  }
  for (const [driverId, held] of groupBy(
    active.filter((booking) => booking.driverId !== null),
    (booking) => booking.driverId ?? '',
  )) {
    if (held.length > 1) {
      findings.push({
        invariant: 'one active trip per driver',
        subject: `${driverId}: ${held.length}`,
      });
    }
  }
  for (const driver of snapshot.drivers) {
    const claim = driver.activeBookingId === null ? undefined : bookings.get(driver.activeBookingId);
    if (
      driver.activeBookingId !== null &&
      (claim === undefined || claim.driverId !== driver.id || !isActiveTripStatus(claim.status))
    ) {
      findings.push({
        invariant: 'one active trip per driver',
        subject: `${driver.id} claims ${driver.activeBookingId} (${claim?.status ?? 'missing'})`,
      });
    }
  }
  return findings;
}

type Totals = Record<string, number>;

const BOOKING_TOTALS = ['created', 'delivered', 'cancelled', 'expired', 'revenue', 'trip_count'] as const;
const DRIVER_TOTALS = ['trips', 'earnings', 'rating_sum', 'rating_count'] as const;

/** Sums `fields` of `rows` per key, over every day. */
function totalsBy<R extends Partial<Record<F, number>>, F extends string>(
  rows: readonly R[],
  keyOf: (row: R) => string,
  fields: readonly F[],
): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const row of rows) {
    const sum = totals.get(keyOf(row)) ?? {};
    for (const field of fields) {
      sum[field] = (sum[field] ?? 0) + (row[field] ?? 0);
    }
    totals.set(keyOf(row), sum);
  }
  return totals;
}

function compareTotals(
  invariant: string,
  stored: Map<string, Totals>,
  recounted: Map<string, Totals>,
): Finding[] {
  const findings: Finding[] = [];
  for (const key of new Set([...stored.keys(), ...recounted.keys()])) {
    const have = stored.get(key) ?? {};
    const want = recounted.get(key) ?? {};
    for (const name of new Set([...Object.keys(have), ...Object.keys(want)])) {
      const diff = (have[name] ?? 0) - (want[name] ?? 0);
      if (diff !== 0) {
        findings.push({ invariant, subject: `${key} ${name} ${diff > 0 ? '+' : ''}${diff}` });
      }
    }
  }
  return findings;
}

/** The roll-ups equal a recount from the bookings, summed over days (a run may cross midnight). */
function rollupsMatch(snapshot: Snapshot): Finding[] {
  const contributions = snapshot.bookings.map((booking: BookingRow) =>
    bookingContributions({
      vehicle_type: booking.vehicleType,
      status: booking.status,
      driver_id: booking.driverId,
      price_amount: booking.priceAmount,
      search_started_at: booking.searchStartedAt,
      picked_up_at: booking.pickedUpAt,
      delivered_at: booking.deliveredAt,
      cancelled_at: booking.cancelledAt,
      created_at: booking.createdAt,
      updated_at: booking.updatedAt,
      rating: booking.rating,
      pickup_lat: booking.pickupLat,
      pickup_lng: booking.pickupLng,
      pickup_address: booking.pickupAddress,
    }),
  );
  const bookingDeltas = sumBookingDeltas(contributions.flatMap((part) => part.booking));
  const driverDeltas = sumDriverDeltas(contributions.flatMap((part) => part.driver));
  const storedBookings = totalsBy(snapshot.bookingDaily, (row) => row.vehicle_type, BOOKING_TOTALS);
  const recountedBookings = totalsBy(bookingDeltas, (delta) => delta.vehicle_type, BOOKING_TOTALS);
  const storedDrivers = totalsBy(snapshot.driverDaily, (row) => row.driver_id, DRIVER_TOTALS);
  const recountedDrivers = totalsBy(driverDeltas, (delta) => delta.driver_id, DRIVER_TOTALS);
  const unfilledDeltas = contributions.flatMap((part) => part.unfilled);
  const recountedUnfilled = totalsBy(
    [
      ...unfilledDeltas.map((delta) => ({ by: 'hour', key: `${delta.hour}`, expired: 1 })),
      ...unfilledDeltas.map((delta) => ({
        by: 'area',
        key: `${delta.cellLat}:${delta.cellLng}`,
        expired: 1,
      })),
    ],
    (row) => `${row.by} ${row.key}`,
    ['expired'],
  );
  const storedUnfilled = totalsBy(snapshot.unfilled, (row) => `${row.by} ${row.key}`, ['expired']);
  return [
    ...compareTotals('booking roll-ups equal a recount', storedBookings, recountedBookings),
    ...compareTotals('driver roll-ups equal a recount', storedDrivers, recountedDrivers),
    ...compareTotals(
      "drivers' weeks equal their days",
      totalsBy(snapshot.driverWeekly, (row) => row.driver_id, DRIVER_TOTALS),
      storedDrivers,
    ),
    ...compareTotals('unfilled demand equals a recount', storedUnfilled, recountedUnfilled),
  ];
}

/** Every invariant over one snapshot; the claim and roll-up checks only once load has stopped and drained. */
export function checkInvariants(snapshot: Snapshot, options: CheckOptions): Finding[] {
  return [
    ...eventsInOrder(snapshot),
    ...nothingOverdue(snapshot, options.profile),
    ...outboxConsumed(snapshot, options),
    ...(options.final ? [...claimsHeld(snapshot), ...rollupsMatch(snapshot)] : []),
  ];
}
