import {
  isActiveJobStatus,
  nextDriverStatus,
  type ActiveJobStatus,
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

export interface Job {
  bookingId: string;
  status: BookingStatus;
  pickup: Point;
  dropoff: Point;
  /** Aborted when the booking ends without the driver (cancelled by its customer or an admin). */
  scope: AbortController;
}

export interface JobDeps {
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
 * Takes a job from its current status to delivered, driving to the pickup and
 * then the dropoff, with a person's pauses between the steps. The steps and
 * their order are the contracts' (`nextDriverStatus`); each starts from where
 * the booking stands, so a job resumed after a restart carries on.
 */
export async function driveJob(job: Job, deps: JobDeps): Promise<void> {
  const { tasks, motion, plans, settings, stats } = deps;
  const scope = job.scope.signal;
  const pause = (range: Range = settings.statusPauseMs) =>
    tasks.sleep(simulatedMs(plans, range, settings), scope);
  // What the driver does in each status before taking the next step.
  const work: Readonly<Record<ActiveJobStatus, () => Promise<void>>> = {
    driver_assigned: () => pause(),
    en_route_to_pickup: () => tasks.sleep(motion.driveTo(job.pickup), scope),
    arrived_at_pickup: () => pause(settings.loadingMs),
    goods_collected: () => pause(),
    in_transit: async () => {
      await tasks.sleep(motion.driveTo(job.dropoff), scope);
      await pause(settings.unloadingMs);
    },
  };
  for (let from = job.status; isActiveJobStatus(from); from = job.status) {
    const next = nextDriverStatus(from);
    if (next === null) {
      return;
    }
    await work[from]();
    await advance(job, next, deps);
    if (next === 'delivered') {
      stats.add('bookingsDelivered');
    }
  }
}

/** Reports the next status; a refused or unanswered change is settled by reading the booking. */
async function advance(job: Job, status: BookingStatus, deps: JobDeps): Promise<void> {
  const { link, tasks } = deps;
  tasks.check();
  try {
    await link.changeStatus(job.bookingId, status);
  } catch (error) {
    if (!(isApiError(error) && RECONCILE_CODES.has(error.code))) {
      throw error;
    }
    const booking = await link.api.getBooking(link.session, job.bookingId);
    if (booking.status !== status) {
      if (!isActiveJobStatus(booking.status)) {
        throw new Interrupted(`booking ${job.bookingId} is ${booking.status}`);
      }
      throw error;
    }
  }
  job.status = status;
}
