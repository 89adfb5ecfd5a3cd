import type { Static, TSchema } from '@sinclair/typebox';
import { MessageKind } from '../../lib/message-kind';

export interface JobOptions {
  /** Deduplicates: a job with an id already queued, running or done is not added again. */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total tries before the job is given up (default 5). */
  attempts?: number;
  /** Base of the exponential backoff between tries, in milliseconds (default 1000). */
  backoffMs?: number;
}

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
  /** Tries the job has in all (its `attempts` option): `attempt === maxAttempts` is the last, after which it fails for good. */
  maxAttempts: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<void>;

/**
 * A kind of queue job: its name and the schema of its data. Enqueuers are
 * typed by the schema; a processor gets the data checked against it, so a job
 * from another version of the code fails loudly instead of running on a guess.
 */
export class JobType<S extends TSchema> extends MessageKind<S> {
  readonly kind = 'job';
}

/** The data of a job of type `J`. */
export type JobData<J> = J extends JobType<infer S> ? Static<S> : never;

export interface ProcessOptions {
  concurrency?: number;
}

/**
 * Durable background jobs with retries and delays. Delivery is at-least-once;
 * handlers must be idempotent.
 */
export interface JobQueue {
  /** `data` must be JSON: IDs and small values, never personal data. */
  enqueue<S extends TSchema>(type: JobType<S>, data: Static<S>, options?: JobOptions): Promise<void>;
  /** Removes a waiting or delayed job; true when one was removed. */
  remove(type: JobType<TSchema>, jobId: string): Promise<boolean>;
  /**
   * Gives a job that failed for good its tries again, from attempt 1, with its
   * data and options; true when there was such a job. Its id, which a failed
   * job keeps, would otherwise refuse the work for as long as it is kept.
   */
  retryFailed(type: JobType<TSchema>, jobId: string): Promise<boolean>;
  /**
   * Starts consuming jobs of `type` in this process. The handler gets the data
   * checked against the type's schema; data that does not match fails the try.
   */
  process<S extends TSchema>(
    type: JobType<S>,
    handler: JobHandler<Static<S>>,
    options?: ProcessOptions,
  ): void;
  /** Counts of jobs by state, for metrics and tests. */
  counts(
    type: JobType<TSchema>,
  ): Promise<{ waiting: number; delayed: number; active: number; failed: number }>;
  /**
   * True when no job of any name is waiting, running, or delayed past its time:
   * the workers have nothing to do now. Jobs delayed into the future and failed
   * ones do not count. For tests that wait for background work to settle.
   */
  idle(): Promise<boolean>;
  ping(): Promise<void>;
  /** Stops taking new jobs, waits for running ones, then releases resources. */
  close(): Promise<void>;
}
