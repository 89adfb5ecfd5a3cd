import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { BookingsRepository } from '../bookings/bookings.repository';
import type { DispatchService } from './dispatch.service';

export interface DispatchSweepDeps {
  router: ShardRouter;
  clock: Clock;
  bookings: BookingsRepository;
  dispatch: Pick<DispatchService, 'runWave'>;
  logger: Logger;
  /** How late a step may be before the sweep runs it: the queue's own retries come first. */
  graceMs?: number;
  /** Bookings taken per shard per sweep. */
  batchSize?: number;
}

/**
 * The database's side of dispatch timing (ADR 0018): every searching booking
 * carries `next_step_at`, when its next wave (or, past the last wave or its
 * deadline, its expiry) is due. Queue delays run the steps on time; this
 * sweep runs any step overdue by more than `graceMs`, whatever was lost: a
 * delayed job Redis forgot, a wave job that spent its tries while the
 * database was down. It is safe on every worker: each booking is claimed with
 * a conditional update before its step runs, and the step itself is
 * idempotent.
 */
export class DispatchSweeper {
  private readonly graceMs: number;
  private readonly batchSize: number;

  constructor(private readonly deps: DispatchSweepDeps) {
    this.graceMs = deps.graceMs ?? 10_000;
    this.batchSize = deps.batchSize ?? 100;
  }

  /**
   * Runs the overdue step of up to a batch of bookings on each shard; returns
   * how many it ran. Stops between bookings once `keepGoing` says so (a
   * process shutting down): the rest stay due for the next sweep anywhere.
   */
  async sweep(keepGoing: () => boolean = () => true): Promise<number> {
    const { router, clock, bookings, dispatch, logger } = this.deps;
    const now = clock.now();
    const perShard = await Promise.all(
      router.shards.map(async (shard) => {
        const overdue = await bookings.overdueSearches(shard.db, now - this.graceMs, this.batchSize);
        let ran = 0;
        for (const booking of overdue) {
          if (!keepGoing()) {
            break;
          }
          const seen = booking.next_step_at;
          if (seen === null || !(await bookings.claimNextStep(shard.db, booking.id, seen, now))) {
            continue;
          }
          try {
            await dispatch.runWave(booking.id, booking.offer_wave + 1);
            ran += 1;
          } catch (error) {
            // Claimed until `now`: due again for the next sweep past the grace.
            logger.warn({ err: error, bookingId: booking.id }, 'overdue dispatch step failed');
          }
        }
        return ran;
      }),
    );
    const ran = perShard.reduce((sum, count) => sum + count, 0);
    if (ran > 0) {
      logger.warn({ bookings: ran }, 'ran overdue dispatch steps: their queue jobs were late or lost');
    }
    return ran;
  }
}

/**
 * One periodic job of the sweep timer: its name (for logs) and a pass that
 * returns how much it did; a long pass should end early once `keepGoing` is false.
 */
export interface Sweep {
  readonly name: string;
  run(keepGoing: () => boolean): Promise<number>;
}

/**
 * Runs each sweep every `intervalMs`, one pass at a time (a pass slowed by an
 * outage is not stacked on), logging a failed pass and trying again next time.
 */
export class SweepTimer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pass: Promise<void> = Promise.resolve();

  constructor(
    private readonly sweeps: readonly Sweep[],
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.next();
  }

  /** No pass starts after this; resolves when the pass in flight (told to end early) has ended. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    return this.pass;
  }

  /** One pass of every sweep, each on its own: one failing does not hold up the others. */
  async runOnce(): Promise<void> {
    const keepGoing = () => !this.stopped;
    await Promise.all(
      this.sweeps.map((sweep) =>
        sweep.run(keepGoing).catch((error: unknown) => {
          this.logger.warn({ err: error, sweep: sweep.name }, 'sweep failed');
        }),
      ),
    );
  }

  private next(): void {
    this.timer = setTimeout(() => {
      this.pass = this.runOnce().finally(() => {
        if (!this.stopped) {
          this.next();
        }
      });
    }, this.intervalMs);
    this.timer.unref();
  }
}
