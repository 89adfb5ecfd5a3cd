import type { Logger } from '../../lib/logger';
import type { JobQueue } from '../../platform/queue/job-queue.port';
import type { BookingsService } from '../bookings/bookings.service';
import { DISPATCH_WAVE_JOB, type DispatchService } from './dispatch.service';

/** Why a booking expired when the work that would find it a driver failed for good. */
export const DISPATCH_FAILED = 'dispatch_failed';

export interface DispatchFailureDeps {
  bookingsService: Pick<BookingsService, 'expire'>;
  logger: Logger;
}

/**
 * A booking's dispatch failed on its last try: nothing would ever offer it
 * again, so it expires (reason `dispatch_failed`; the customer is told through
 * its event) rather than sit in `searching`. Logged at error with
 * `alert: true`, for whoever watches the logs to page on. Throws only when the
 * expiry itself fails, which is then reported the same way.
 */
export async function expireUndispatchable(
  deps: DispatchFailureDeps,
  bookingId: string,
  failure: unknown,
  job: { name: string; attempt: number },
): Promise<void> {
  const fields = { alert: true, bookingId, reason: DISPATCH_FAILED, job: job.name, attempts: job.attempt };
  let expired: Awaited<ReturnType<BookingsService['expire']>>;
  try {
    expired = await deps.bookingsService.expire(bookingId, DISPATCH_FAILED);
  } catch (error) {
    deps.logger.error(
      { ...fields, err: error, dispatchError: failure instanceof Error ? failure.message : String(failure) },
      'booking left searching: its dispatch failed for good and it could not be expired',
    );
    throw error;
  }
  if (expired === null) {
    // Taken or cancelled meanwhile: nobody is left waiting.
    deps.logger.warn(
      { bookingId, job: job.name, attempts: job.attempt, err: failure },
      'dispatch failed for good on a booking no longer searching',
    );
    return;
  }
  deps.logger.error({ ...fields, err: failure }, 'booking expired: its dispatch failed for good');
}

/**
 * Runs dispatch waves; each wave queues the next one until the booking is
 * taken or expires. A wave whose last try fails expires its booking.
 */
export function registerDispatchWaveJob(
  queue: JobQueue,
  dispatch: DispatchService,
  failures: DispatchFailureDeps,
): void {
  queue.process(
    DISPATCH_WAVE_JOB,
    async (job) => {
      try {
        await dispatch.runWave(job.data.bookingId, job.data.wave);
      } catch (error) {
        if (job.attempt < job.maxAttempts) {
          throw error;
        }
        await expireUndispatchable(failures, job.data.bookingId, error, job);
      }
    },
    {
      concurrency: 8,
    },
  );
}
