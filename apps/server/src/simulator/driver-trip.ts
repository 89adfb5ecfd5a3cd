import {
  isActiveTripStatus,
  nextDriverStatus,
  type ActiveTripStatus,
  type Booking,
  type BookingStatus,
  type StopStatus,
} from '@loadline/contracts';
import { simulatedMs } from './agent-context';
import { Interrupted, type AgentTasks } from './agent-tasks';
import { isApiError } from './api-client';
import type { DriverLink } from './driver-link';
import type { HandoverDesk } from './handover-desk';
import type { Point } from './paths';
import type { Range, Random } from '../lib/random';
import { signaturePng } from './signature-image';
import { STOP_FAILURE_NOTES, STOP_FAILURE_WEIGHTS, type SimSettings } from './sim-settings';
import type { SimStats } from './sim-stats';
import type { VehicleMotion } from './vehicle-motion';

/** A drop-off of the trip, as far as the driver knows it. */
export interface TripStop {
  seq: number;
  location: Point;
  status: StopStatus;
  recipientName: string | null;
}

export interface Trip {
  bookingId: string;
  status: BookingStatus;
  pickup: Point;
  dropoff: Point;
  /** The booking's customer, who gives the handover PINs. */
  customerId: string;
  /** Every handover needs the customer's PIN. */
  handoverPins: boolean;
  /** The drop-offs in order (one for a v1 booking). */
  stops: TripStop[];
  /** Aborted when the booking ends without the driver (cancelled by its customer or an admin). */
  scope: AbortController;
}

/** The trip as the driver starts it from the booking an acceptance (or a read after a restart) answered. */
export function tripOf(booking: Booking): Trip {
  return {
    bookingId: booking.id,
    status: booking.status,
    pickup: booking.pickup,
    dropoff: booking.dropoff,
    customerId: booking.customerId,
    handoverPins: booking.handoverPins === true,
    stops: (booking.stops ?? [{ seq: 1, location: booking.dropoff, status: 'pending', recipient: null }]).map(
      (stop) => ({
        seq: stop.seq,
        location: stop.location,
        status: stop.status,
        recipientName: stop.recipient?.name ?? null,
      }),
    ),
    scope: new AbortController(),
  };
}

/**
 * Where the driver of a trip picked up again (after a restart) stands: at the
 * pickup from arriving there until setting off, at a drop-off it has arrived
 * at. Null while the next step drives somewhere first. The server checks a
 * handover against the last position the driver reported.
 */
export function standingPoint(trip: Trip): Point | null {
  if (trip.status === 'arrived_at_pickup' || trip.status === 'goods_collected') {
    return trip.pickup;
  }
  if (trip.status === 'in_transit') {
    const next = trip.stops.find((stop) => stop.status === 'pending' || stop.status === 'arrived');
    return next?.status === 'arrived' ? next.location : null;
  }
  return null;
}

export interface TripDeps {
  link: DriverLink;
  tasks: AgentTasks;
  motion: VehicleMotion;
  plans: Random;
  settings: SimSettings;
  stats: SimStats;
  handovers: HandoverDesk;
  /** Sends the vehicle's position now: the server checks arrivals and handovers against the last one it has. */
  reportPosition: () => Promise<void>;
}

/** Failures after which the booking itself says whether the status change happened. */
const RECONCILE_CODES = new Set(['invalid_transition', 'not_found', 'ack_timeout', 'network_error']);

/**
 * Takes a trip from its current status to delivered, driving to the pickup and
 * then each drop-off, with a person's pauses between the steps. The steps and
 * their order are the contracts' (`nextDriverStatus`); each starts from where
 * the booking stands, so a trip resumed after a restart carries on. A booking
 * with several stops is worked stop by stop (arrive, then hand over or fail);
 * its last stop delivers it. With handover PINs the customer gives the PIN
 * of each handover (see `HandoverDesk`).
 */
export async function driveTrip(trip: Trip, deps: TripDeps): Promise<void> {
  const { tasks, motion, plans, settings, stats } = deps;
  const scope = trip.scope.signal;
  const pause = (range: Range = settings.statusPauseMs) =>
    tasks.sleep(simulatedMs(plans, range, settings), scope);
  // What the driver does in each status before taking the next step.
  const work: Readonly<Record<ActiveTripStatus, () => Promise<void>>> = {
    driver_assigned: () => pause(),
    en_route_to_pickup: async () => {
      await tasks.sleep(motion.driveTo(trip.pickup), scope);
      await deps.reportPosition();
    },
    arrived_at_pickup: () => pause(settings.loadingMs),
    goods_collected: () => pause(),
    in_transit: async () => {
      if (trip.stops.length > 1) {
        return;
      }
      await tasks.sleep(motion.driveTo(trip.dropoff), scope);
      await deps.reportPosition();
      await pause(settings.unloadingMs);
    },
  };
  for (let from = trip.status; isActiveTripStatus(from); from = trip.status) {
    if (from === 'in_transit' && trip.stops.length > 1) {
      await workStops(trip, deps, pause);
      trip.status = 'delivered';
      stats.add('bookingsDelivered');
      return;
    }
    const next = nextDriverStatus(from);
    if (next === null) {
      return;
    }
    await work[from]();
    // The pickup's handover, and a one-stop booking's delivery, take their PIN.
    const handover = next === 'goods_collected' ? 0 : next === 'delivered' ? 1 : null;
    await withPin(trip, handover, deps, (pin) => advance(trip, next, deps, pin));
    if (next === 'delivered') {
      stats.add('bookingsDelivered');
    }
  }
}

/**
 * Runs a handover with its PIN when the booking has PINs (none otherwise).
 * A refused PIN (new PINs after a re-assignment) is asked for once more.
 */
async function withPin(
  trip: Trip,
  handover: number | null,
  deps: TripDeps,
  move: (pin: string | undefined) => Promise<void>,
): Promise<void> {
  if (!trip.handoverPins || handover === null) {
    await move(undefined);
    return;
  }
  for (let attempt = 1; ; attempt += 1) {
    const pin = await deps.handovers.pin(trip.customerId, trip.bookingId, handover);
    try {
      await move(pin);
      deps.stats.add('pinsEntered');
      return;
    } catch (error) {
      if (attempt >= 2 || !isApiError(error, 422, 'invalid_pin')) {
        throw error;
      }
    }
  }
}

/** Drives to each open stop in order, arrives, and hands the goods over or, now and then, fails the stop. */
async function workStops(trip: Trip, deps: TripDeps, pause: (range: Range) => Promise<void>): Promise<void> {
  const { tasks, motion, plans, settings, stats, link } = deps;
  for (const stop of trip.stops) {
    if (stop.status === 'delivered' || stop.status === 'failed') {
      continue;
    }
    // Drawn before acting, so one stop's outcome never shifts the next one's.
    const fails = plans.chance(settings.failStopShare);
    const reason = plans.weighted(STOP_FAILURE_WEIGHTS);
    const signs = plans.chance(settings.signatureShare);
    await tasks.sleep(motion.driveTo(stop.location), trip.scope.signal);
    await deps.reportPosition();
    if (stop.status === 'pending') {
      await stopMove(trip, stop, 'arrived', deps, () =>
        link.api.arriveAtStop(link.session, trip.bookingId, stop.seq),
      );
    }
    await pause(settings.unloadingMs);
    if (fails) {
      await stopMove(trip, stop, 'failed', deps, () =>
        link.api.failStop(link.session, trip.bookingId, stop.seq, {
          reason,
          note: STOP_FAILURE_NOTES[reason],
        }),
      );
      stats.add('stopsFailed');
      continue;
    }
    const signature = signs ? await link.api.upload(link.session, 'image/png', signaturePng(plans)) : null;
    if (signature !== null) {
      stats.add('signaturesUploaded');
    }
    await withPin(trip, stop.seq, deps, (pin) =>
      stopMove(trip, stop, 'delivered', deps, () =>
        link.api.completeStop(link.session, trip.bookingId, stop.seq, {
          ...(pin === undefined ? {} : { pin }),
          ...(stop.recipientName === null ? {} : { recipientName: stop.recipientName }),
          ...(signature === null ? {} : { signatureId: signature.id }),
        }),
      ),
    );
    stats.add('stopsCompleted');
  }
}

/**
 * A move the server checks against the driver's last position: answered
 * 422 too_far_from_stop, the driver reports where it is once more and tries
 * again (a position sent just before may have been overtaken by an older one).
 */
async function nearEnough<T>(deps: TripDeps, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!isApiError(error, 422, 'too_far_from_stop')) {
      throw error;
    }
    await deps.reportPosition();
    return send();
  }
}

/** One move of a stop; a refused or unanswered one is settled by reading the booking, as status changes are. */
async function stopMove(
  trip: Trip,
  stop: TripStop,
  to: StopStatus,
  deps: TripDeps,
  send: () => Promise<Booking>,
): Promise<void> {
  deps.tasks.check();
  try {
    await nearEnough(deps, send);
  } catch (error) {
    if (!(isApiError(error) && RECONCILE_CODES.has(error.code))) {
      throw error;
    }
    const booking = await deps.link.api.getBooking(deps.link.session, trip.bookingId);
    const now = booking.stops?.find((entry) => entry.seq === stop.seq)?.status;
    if (now !== to) {
      if (!isActiveTripStatus(booking.status)) {
        throw new Interrupted(`booking ${trip.bookingId} is ${booking.status}`);
      }
      throw error;
    }
  }
  stop.status = to;
}

/** Reports the next status; a refused or unanswered change is settled by reading the booking. */
async function advance(trip: Trip, status: BookingStatus, deps: TripDeps, pin?: string): Promise<void> {
  const { link, tasks } = deps;
  tasks.check();
  try {
    await nearEnough(deps, () => link.changeStatus(trip.bookingId, status, pin));
  } catch (error) {
    if (!(isApiError(error) && RECONCILE_CODES.has(error.code))) {
      throw error;
    }
    const booking = await link.api.getBooking(link.session, trip.bookingId);
    if (booking.status !== status) {
      if (!isActiveTripStatus(booking.status)) {
        throw new Interrupted(`booking ${trip.bookingId} is ${booking.status}`);
      }
      throw error;
    }
  }
  trip.status = status;
}
