import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { createLogger, type Logger } from '../../lib/logger';
import { closeRedis, createRedis, type RedisClient } from '../redis';
import { resolveJobOptions } from './job-options';
import type { Static, TSchema } from '@sinclair/typebox';
import type { JobHandler, JobOptions, JobQueue, JobType, ProcessOptions } from './job-queue.port';
import { settlesWithin } from '../../lib/settles-within';

export interface BullmqJobQueueOptions {
  url: string;
  /** Deployment key prefix, e.g. `loadline:`; queues live under it. */
  prefix: string;
  logger?: Logger;
  /**
   * How long a job is leased to its worker (BullMQ's lock, renewed at half
   * this); a dead worker's jobs are handed on once it lapses and the stalled
   * check, run as often, finds them. Default 30 s, BullMQ's own.
   */
  leaseMs?: number;
}

// BullMQ removes finished jobs by age (seconds) when later jobs finish; until
// then their ids block re-adding, which is what gives jobId dedup its day.
const keepCompletedSeconds = 24 * 3600;
const keepFailedSeconds = 7 * 24 * 3600;

type AnyQueue = Queue<unknown, unknown>;

/**
 * The cluster-mode job queue on BullMQ. It opens one Redis connection, shared
 * by every Queue (one per job name, created on first use) and Worker (one per
 * processed name; each Worker adds its own blocking connection), and closes
 * them all in `close()`.
 */
export class BullmqJobQueue implements JobQueue {
  private readonly connection: RedisClient;
  private readonly bullPrefix: string;
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly queues = new Map<string, AnyQueue>();
  private readonly workers = new Map<string, Worker<unknown, unknown>>();
  private closing: Promise<void> | null = null;
  private closed = false;

  constructor(options: BullmqJobQueueOptions) {
    // BullMQ joins prefix and queue name with ':' itself.
    this.bullPrefix = options.prefix.replace(/:+$/, '');
    if (this.bullPrefix === '') {
      throw new RangeError('BullmqJobQueue needs a non-empty prefix');
    }
    this.logger = options.logger ?? createLogger('warn').child({ module: 'queue' });
    this.leaseMs = options.leaseMs ?? 30_000;
    this.connection = createRedis(options.url, 'loadline-queue', { forBlocking: true, logger: this.logger });
  }

  async enqueue<S extends TSchema>(type: JobType<S>, data: Static<S>, options?: JobOptions): Promise<void> {
    this.assertOpen();
    const { name } = type;
    const resolved = resolveJobOptions(options);
    await this.queue(name).add(name, data, {
      jobId: toBullmqJobId(resolved.jobId ?? randomUUID()),
      delay: resolved.delayMs > 0 ? Math.round(resolved.delayMs) : undefined,
      attempts: resolved.attempts,
      // BullMQ waits delay * 2^(attemptsMade - 1): backoffMs * 2^(attempt - 1) as the port says.
      backoff: { type: 'exponential', delay: resolved.backoffMs },
      removeOnComplete: { age: keepCompletedSeconds },
      removeOnFail: { age: keepFailedSeconds },
    });
  }

  async remove(type: JobType<TSchema>, jobId: string): Promise<boolean> {
    this.assertOpen();
    const queue = this.queue(type.name);
    const id = toBullmqJobId(jobId);
    // Queue.remove would also delete finished jobs (and so their dedup), hence
    // the state check. A job that starts meanwhile is locked and remove returns 0.
    const state = await queue.getJobState(id);
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') {
      return false;
    }
    return (await queue.remove(id)) === 1;
  }

  async retryFailed(type: JobType<TSchema>, jobId: string): Promise<boolean> {
    this.assertOpen();
    const job = await this.queue(type.name).getJob(toBullmqJobId(jobId));
    if (job === undefined || !(await job.isFailed())) {
      return false;
    }
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  process<S extends TSchema>(
    type: JobType<S>,
    handler: JobHandler<Static<S>>,
    options: ProcessOptions = {},
  ): void {
    this.assertOpen();
    const { name } = type;
    if (this.workers.has(name)) {
      throw new Error(`jobs of "${name}" are already processed by this queue`);
    }
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    const worker = new Worker<unknown, unknown>(
      toBullmqQueueName(name),
      async (job: Job<unknown, unknown>) => {
        await handler({
          id: fromBullmqJobId(job.id ?? ''),
          name,
          data: type.parse(job.data),
          attempt: job.attemptsMade + 1,
          // Every job is added with `attempts`; BullMQ's own default is a single try.
          maxAttempts: job.opts.attempts ?? 1,
        });
      },
      {
        connection: this.connection,
        prefix: this.bullPrefix,
        concurrency,
        lockDuration: this.leaseMs,
        stalledInterval: this.leaseMs,
      },
    );
    worker.on('failed', (job: Job<unknown, unknown> | undefined, error: Error) => {
      const attempt = job === undefined ? undefined : job.attemptsMade;
      this.logger.warn({ err: error, job: name, jobId: job?.id, attempt }, 'job failed');
    });
    worker.on('error', (error: Error) => {
      this.logger.error({ err: error, job: name }, 'job worker error');
    });
    this.workers.set(name, worker);
  }

  async counts(
    type: JobType<TSchema>,
  ): Promise<{ waiting: number; delayed: number; active: number; failed: number }> {
    this.assertOpen();
    const counts = await this.queue(type.name).getJobCounts(
      'waiting',
      'prioritized',
      'delayed',
      'active',
      'failed',
    );
    return {
      // BullMQ files waiting jobs under wait, paused or prioritized; to the port they all wait.
      waiting: (counts.waiting ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /**
   * Looks at the names this instance has enqueued, counted or processed: BullMQ
   * keeps no index of queue names, and a test's app is its queue's only user.
   */
  async idle(): Promise<boolean> {
    this.assertOpen();
    const names = new Set([...this.queues.keys(), ...this.workers.keys()]);
    for (const name of names) {
      const queue = this.queue(name);
      // Due delayed jobs first: one a worker promotes between the two reads is then counted as waiting.
      // BullMQ scores a delayed job (its due time in ms) * 0x1000 + a 12-bit counter, as its own
      // promoteDelayedJobs script reads it.
      const due = await this.connection.zcount(queue.toKey('delayed'), 0, (Date.now() + 1) * 0x1000 - 1);
      const counts = await queue.getJobCounts('waiting', 'paused', 'prioritized', 'active');
      const pending = Object.values(counts).reduce((sum, count) => sum + count, due);
      if (pending > 0) {
        return false;
      }
    }
    return true;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.connection.ping();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // With Redis gone nothing can finish gracefully: drop the jobs (they stay in Redis, unacknowledged).
      const force = this.connection.status !== 'ready';
      const workers = [...this.workers.values()];
      const queues = [...this.queues.values()];
      // Workers first: they finish their active jobs, which may still enqueue.
      const graceful = (async () => {
        await Promise.all(workers.map((worker) => worker.close(force)));
        // Jobs that were finishing could still enqueue follow-ups until here.
        this.closed = true;
        await Promise.all(queues.map((queue) => queue.close()));
      })();
      if (!(await settlesWithin(graceful, force ? 1_000 : CLOSE_TIMEOUT_MS))) {
        this.logger.warn('job queue did not close in time; disconnecting');
        await Promise.allSettled([
          ...workers.map((worker) => worker.disconnect()),
          ...queues.map((queue) => queue.disconnect()),
        ]);
      }
      this.closed = true;
      await closeRedis(this.connection);
    })();
    return this.closing;
  }

  private queue(name: string): AnyQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue<unknown, unknown>(toBullmqQueueName(name), {
        connection: this.connection,
        prefix: this.bullPrefix,
      });
      queue.on('error', (error: Error) => {
        this.logger.error({ err: error, job: name }, 'job queue error');
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('job queue is closed');
    }
  }
}

/** Percent-escapes the characters BullMQ or Redis Cluster give a meaning to. */
function escape(text: string): string {
  return text.replace(
    /[%:{}]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/**
 * The queue name, in braces: a Redis Cluster hash tag, so every key of one
 * queue lands in one slot as BullMQ's scripts need.
 */
export function toBullmqQueueName(name: string): string {
  return `{${escape(name)}}`;
}

/**
 * Maps a port job id to one BullMQ accepts (no ':', not an integer), reversibly,
 * so distinct ids stay distinct and enqueue dedup and remove agree.
 */
export function toBullmqJobId(jobId: string): string {
  const escaped = escape(jobId);
  if (`${Number.parseInt(escaped, 10)}` === escaped) {
    // BullMQ keeps integer ids for its own counter; escaping the first character avoids them.
    return `%${escaped.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}${escaped.slice(1)}`;
  }
  return escaped;
}

/** The inverse of `toBullmqJobId`. */
export function fromBullmqJobId(bullmqId: string): string {
  return bullmqId.replace(/%([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Longest a graceful close may wait for running jobs. */
const CLOSE_TIMEOUT_MS = 15_000;
