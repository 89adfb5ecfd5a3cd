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

export interface ProcessOptions {
  concurrency?: number;
}

/**
 * Durable background jobs with retries and delays. Delivery is at-least-once;
 * handlers must be idempotent.
 */
export interface JobQueue {
  /** `data` must be JSON: IDs and small values, never personal data. */
  enqueue(name: string, data: unknown, options?: JobOptions): Promise<void>;
  /** Removes a waiting or delayed job; true when one was removed. */
  remove(name: string, jobId: string): Promise<boolean>;
  /** Starts consuming jobs of `name` in this process. */
  process<T>(name: string, handler: JobHandler<T>, options?: ProcessOptions): void;
  /** Counts of jobs by state, for metrics and tests. */
  counts(name: string): Promise<{ waiting: number; delayed: number; active: number; failed: number }>;
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
