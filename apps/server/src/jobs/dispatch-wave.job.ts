import type { JobQueue } from '../platform/queue/job-queue.port';
import {
  DISPATCH_WAVE_JOB,
  type DispatchService,
  type DispatchWaveJob,
} from '../modules/dispatch/dispatch.service';

/** Runs dispatch waves; each wave queues the next one until the booking is taken or expires. */
export function registerDispatchWaveJob(queue: JobQueue, dispatch: DispatchService): void {
  queue.process<DispatchWaveJob>(
    DISPATCH_WAVE_JOB,
    (job) => dispatch.runWave(job.data.bookingId, job.data.wave),
    {
      concurrency: 8,
    },
  );
}
