import { Type } from '@sinclair/typebox';
import { Id } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { AppError } from '../../lib/errors';
import type { ShardRouter } from '../../platform/db/shard-router';
import { JobType, type JobQueue } from '../../platform/queue/job-queue.port';
import type { BookingRow, BookingsRepository } from './bookings.repository';
import type { BookingsService } from './bookings.service';

/** Starts the search of a scheduled booking when it is due. */
export const BOOKING_ACTIVATE_JOB = new JobType('booking.activate', Type.Object({ bookingId: Id }));

export function activationJobId(bookingId: string): string {
  return `activate-${bookingId}`;
}

/**
 * Scheduled bookings wait as `scheduled` and start searching `leadMinutes`
 * before their time, through one delayed job each (see docs/adr/0009). The
 * bookings module's sweep timer runs `sweep` to catch any whose job was lost.
 */
export class ActivationScheduler {
  constructor(
    private readonly deps: {
      queue: JobQueue;
      router: ShardRouter;
      clock: Clock;
      bookings: BookingsRepository;
      bookingsService: BookingsService;
      leadMinutes: number;
      logger: Logger;
    },
  ) {}

  dueAt(booking: BookingRow): number {
    return (booking.scheduled_at ?? 0) - this.deps.leadMinutes * 60_000;
  }

  async schedule(booking: BookingRow, jobId = activationJobId(booking.id)): Promise<void> {
    const delayMs = Math.max(0, this.dueAt(booking) - this.deps.clock.now());
    await this.deps.queue.enqueue(
      BOOKING_ACTIVATE_JOB,
      { bookingId: booking.id },
      {
        jobId,
        delayMs,
        attempts: 10,
        backoffMs: 1000,
      },
    );
  }

  /** Starts the search if the booking is still scheduled and due; reschedules it if not yet due. */
  async activate(bookingId: string): Promise<void> {
    const { router, bookings, clock } = this.deps;
    const booking = await bookings.findById(router.forId(bookingId).db, bookingId);
    if (booking?.status !== 'scheduled') {
      return;
    }
    const now = clock.now();
    if (now < this.dueAt(booking)) {
      // The queue's timer and this clock disagree: try again when due.
      await this.schedule(booking, `${activationJobId(bookingId)}-${now}`);
      return;
    }
    try {
      await this.deps.bookingsService.transition(
        bookingId,
        'searching',
        { role: 'system', id: null },
        // The first wave is due at once: the sweep starts it should the lifecycle's job be lost.
        { set: (_row, at) => ({ search_started_at: at, next_step_at: at }) },
      );
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'invalid_transition')) {
        throw error;
      }
    }
  }

  /** Activates every scheduled booking that is due, on every shard; a shard that fails does not hold up the others. */
  async sweep(): Promise<number> {
    const dueBefore = this.deps.clock.now() + this.deps.leadMinutes * 60_000;
    const perShard = await Promise.all(
      this.deps.router.shards.map(async (shard) => {
        let activated = 0;
        try {
          for (const booking of await this.deps.bookings.dueScheduled(shard.db, dueBefore, 500)) {
            await this.activate(booking.id);
            activated += 1;
          }
        } catch (error) {
          this.deps.logger.warn({ err: error, shard: shard.index }, 'scheduled booking sweep failed');
        }
        return activated;
      }),
    );
    return perShard.reduce((sum, count) => sum + count, 0);
  }
}

export function registerBookingActivationJob(queue: JobQueue, scheduler: ActivationScheduler): void {
  queue.process(BOOKING_ACTIVATE_JOB, (job) => scheduler.activate(job.data.bookingId), {
    concurrency: 4,
  });
}
