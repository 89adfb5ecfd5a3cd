import {
  isActiveTripStatus,
  nextDriverStatus,
  type ActiveTripStatus,
  type BookingStatus,
} from '@loadline/contracts';
import { simulatedMs } from './agent-context';
import { Interrupted, type AgentTasks } from './agent-tasks';
import { isApiError } from './api-client';
import type { DriverLink } from './driver-link';
import type { Point } from './paths';
import type { Range, Random } from '../lib/random';
import type { SimSettings } from './sim-settings';
import type { SimStats } from './sim-stats';
import type { VehicleMotion } from './vehicle-motion';

export interface Trip {
  bookingId: string;
  status: BookingStatus;
  pickup: Point;
  dropoff: Point;
  /** Aborted when the booking ends without the driver (cancelled by its customer or an admin). */
  scope: AbortController;
}

export interface TripDeps {
  link: DriverLink;
  tasks: AgentTasks;
  motion: VehicleMotion;
  plans: Random;
  settings: SimSettings;
  stats: SimStats;
}

/** Failures after which the booking itself says whether the status change happened. */
const RECONCILE_CODES = new Set(['invalid_transition', 'not_found', 'ack_timeout', 'network_error']);

/**
 * Takes a trip from its current status to delivered, driving to the pickup and
 * then the dropoff, with a person's pauses between the steps. The steps and
 * their order are the contracts' (`nextDriverStatus`); each starts from where
 * the booking stands, so a trip resumed after a restart carries on.
 */
export async function driveTrip(trip: Trip, deps: TripDeps): Promise<void> {
  const { tasks, motion, plans, settings, stats } = deps;
  const scope = trip.scope.signal;
  const pause = (range: Range = settings.statusPauseMs) =>
    tasks.sleep(simulatedMs(plans, range, settings), scope);
  // What the driver does in each status before taking the next step.
  const work: Readonly<Record<ActiveTripStatus, () => Promise<void>>> = {
    driver_assigned: () => pause(),
    en_route_to_pickup: () => tasks.sleep(motion.driveTo(trip.pickup), scope),
    arrived_at_pickup: () => pause(settings.loadingMs),
    goods_collected: () => pause(),
    in_transit: async () => {
      await tasks.sleep(motion.driveTo(trip.dropoff), scope);
      await pause(settings.unloadingMs);
    },
  };
  for (let from = trip.status; isActiveTripStatus(from); from = trip.status) {
    const next = nextDriverStatus(from);
    if (next === null) {
      return;
    }
    await work[from]();
    await advance(trip, next, deps);
    if (next === 'delivered') {
      stats.add('bookingsDelivered');
    }
  }
}

/** Reports the next status; a refused or unanswered change is settled by reading the booking. */
async function advance(trip: Trip, status: BookingStatus, deps: TripDeps): Promise<void> {
  const { link, tasks } = deps;
  tasks.check();
  try {
    await link.changeStatus(trip.bookingId, status);
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
