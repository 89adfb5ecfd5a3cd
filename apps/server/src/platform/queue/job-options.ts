import type { JobOptions } from './job-queue.port';

export interface ResolvedJobOptions {
  jobId: string | undefined;
  delayMs: number;
  attempts: number;
  backoffMs: number;
}

/** Applies the port's defaults (5 attempts, 1 s backoff) and rejects values both adapters could not honour alike. */
export function resolveJobOptions(options: JobOptions = {}): ResolvedJobOptions {
  const resolved: ResolvedJobOptions = {
    jobId: options.jobId,
    delayMs: options.delayMs ?? 0,
    attempts: options.attempts ?? 5,
    backoffMs: options.backoffMs ?? 1000,
  };
  if (resolved.jobId === '') {
    throw new RangeError('jobId must not be empty');
  }
  if (!Number.isFinite(resolved.delayMs) || resolved.delayMs < 0) {
    throw new RangeError(`delayMs must be a non-negative number, got ${resolved.delayMs}`);
  }
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new RangeError(`attempts must be a positive integer, got ${resolved.attempts}`);
  }
  if (!Number.isFinite(resolved.backoffMs) || resolved.backoffMs < 0) {
    throw new RangeError(`backoffMs must be a non-negative number, got ${resolved.backoffMs}`);
  }
  return resolved;
}

/** Milliseconds to wait after failed try number `attempt` (1-based): `backoffMs * 2^(attempt-1)`. */
export function backoffDelayMs(backoffMs: number, attempt: number): number {
  return Math.round(backoffMs * 2 ** (attempt - 1));
}
