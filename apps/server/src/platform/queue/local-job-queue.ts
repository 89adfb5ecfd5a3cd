import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { Database } from 'better-sqlite3';
import { systemClock, type Clock } from '../../lib/clock';
import { createLogger, type Logger } from '../../lib/logger';
import { backoffDelayMs, resolveJobOptions } from './job-options';
import type { Static, TSchema } from '@sinclair/typebox';
import type { JobContext, JobHandler, JobOptions, JobQueue, JobType, ProcessOptions } from './job-queue.port';

export interface LocalJobQueueOptions {
  clock?: Clock;
  logger?: Logger;
  /** How often due jobs are looked for, in real milliseconds (default 100). Enqueues and finished jobs also wake the loop at once. */
  pollIntervalMs?: number;
  /** How long a job's lease lasts, recorded in `locked_until` (default 5 minutes). */
  lockMs?: number;
}

/** Kept rows: done ones for jobId dedup (as BullMQ's removeOnComplete), failed ones for inspection (as removeOnFail). */
const keepDoneMs = 24 * 3600_000;
const keepFailedMs = 7 * 24 * 3600_000;
const pruneEveryMs = 60_000;

type JobState = 'queued' | 'active' | 'done' | 'failed';

interface DueRow {
  id: string;
  data: string;
  attempt: number;
  max_attempts: number;
  backoff_ms: number;
}

interface Processor {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
}

/**
 * The embedded-mode job queue, durable in a SQLite database the caller opens
 * (and closes after `close()`). Rows: `queued` (waiting or delayed by `run_at`),
 * `active`, `done` (kept a day so a jobId is not run twice), `failed` (kept a
 * week). `attempt` counts tries made. One instance per database: at
 * construction every `active` row is taken to be left over from a crash and is
 * queued again (at-least-once).
 */
export class LocalJobQueue implements JobQueue {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly lockMs: number;
  private readonly processors = new Map<string, Processor>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly claim: (name: string, now: number, limit: number) => DueRow[];
  private timer: NodeJS.Timeout | null = null;
  private wakeScheduled = false;
  private nextPruneAt: number;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    options: LocalJobQueueOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger('warn').child({ module: 'queue' });
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.lockMs = options.lockMs ?? 5 * 60_000;
    db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        name TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        run_at INTEGER NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        backoff_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        locked_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (name, id)
      );
      CREATE INDEX IF NOT EXISTS jobs_due ON jobs (name, state, run_at);
    `);
    this.statements = prepareStatements(db);
    const statements = this.statements;
    this.claim = db.transaction((name: string, now: number, limit: number): DueRow[] => {
      const rows = statements.selectDue.all(name, now, limit);
      for (const row of rows) {
        statements.markActive.run(now + this.lockMs, name, row.id);
      }
      return rows;
    });
    const recovered = this.statements.recoverActive.run().changes;
    if (recovered > 0) {
      this.logger.warn({ jobs: recovered }, 'requeued jobs left active by an earlier process');
    }
    this.nextPruneAt = this.clock.now();
  }

  enqueue<S extends TSchema>(type: JobType<S>, data: Static<S>, options?: JobOptions): Promise<void> {
    const { name } = type;
    return this.run(() => {
      const resolved = resolveJobOptions(options);
      const now = this.clock.now();
      const runAt = now + Math.round(resolved.delayMs);
      const encoded = JSON.stringify(data) as string | undefined;
      // ON CONFLICT DO NOTHING is the dedup: a row of any state blocks the id.
      this.statements.insert.run(
        name,
        resolved.jobId ?? randomUUID(),
        encoded ?? 'null',
        runAt,
        resolved.attempts,
        resolved.backoffMs,
        now,
      );
      if (runAt <= now && this.processors.has(name)) {
        this.wake();
      }
    });
  }

  remove(type: JobType<TSchema>, jobId: string): Promise<boolean> {
    return this.run(() => this.statements.removeQueued.run(type.name, jobId).changes > 0);
  }

  retryFailed(type: JobType<TSchema>, jobId: string): Promise<boolean> {
    return this.run(() => {
      const retried = this.statements.retryFailed.run(this.clock.now(), type.name, jobId).changes > 0;
      if (retried && this.processors.has(type.name)) {
        this.wake();
      }
      return retried;
    });
  }

  process<S extends TSchema>(
    type: JobType<S>,
    handler: JobHandler<Static<S>>,
    options: ProcessOptions = {},
  ): void {
    const { name } = type;
    if (this.closing !== null) {
      throw new Error('job queue is closed');
    }
    if (this.processors.has(name)) {
      throw new Error(`jobs of "${name}" are already processed by this queue`);
    }
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.processors.set(name, {
      handler: (job) => handler({ ...job, data: type.parse(job.data) }),
      concurrency,
      running: 0,
    });
    this.timer ??= setInterval(() => {
      this.pollSafely();
    }, this.pollIntervalMs);
    this.wake();
  }

  counts(
    type: JobType<TSchema>,
  ): Promise<{ waiting: number; delayed: number; active: number; failed: number }> {
    return this.run(() => {
      const now = this.clock.now();
      const row = this.statements.counts.get(now, now, type.name);
      return {
        waiting: row?.waiting ?? 0,
        delayed: row?.delayed ?? 0,
        active: row?.active ?? 0,
        failed: row?.failed ?? 0,
      };
    });
  }

  idle(): Promise<boolean> {
    return this.run(() => this.statements.busy.get(this.clock.now()) === undefined);
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
      // A finishing job cannot start another (polling checks `closing`), so this ends.
      while (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
      }
    })();
    return this.closing;
  }

  /**
   * Starts every due job, waits for them, and repeats until none is due and
   * none is running. For tests that move a ManualClock instead of waiting.
   */
  async drain(): Promise<void> {
    for (;;) {
      this.poll();
      if (this.inflight.size === 0) {
        return;
      }
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** Starts the due jobs that free concurrency allows; returns how many. */
  poll(): number {
    if (this.closing !== null) {
      return 0;
    }
    const now = this.clock.now();
    if (now >= this.nextPruneAt) {
      this.prune(now);
    }
    let started = 0;
    for (const [name, processor] of this.processors) {
      const free = processor.concurrency - processor.running;
      if (free <= 0) {
        continue;
      }
      for (const row of this.claim(name, now, free)) {
        this.start(name, processor, row);
        started += 1;
      }
    }
    return started;
  }

  private prune(now: number): void {
    this.nextPruneAt = now + pruneEveryMs;
    this.statements.pruneFinished.run(now - keepDoneMs, now - keepFailedMs);
  }

  private start(name: string, processor: Processor, row: DueRow): void {
    processor.running += 1;
    const execution = this.execute(name, processor, row).finally(() => {
      processor.running -= 1;
      this.inflight.delete(execution);
      this.wake();
    });
    this.inflight.add(execution);
  }

  /** Runs one try and records its outcome; never rejects. */
  private async execute(name: string, processor: Processor, row: DueRow): Promise<void> {
    const attempt = row.attempt + 1;
    const log = this.logger.child({ jobId: row.id, job: name, attempt });
    let failure: unknown = null;
    try {
      const job: JobContext<unknown> = {
        id: row.id,
        name,
        data: JSON.parse(row.data),
        attempt,
        maxAttempts: row.max_attempts,
      };
      await processor.handler(job);
    } catch (error) {
      failure = error ?? new Error('job failed');
    }
    try {
      const now = this.clock.now();
      if (failure === null) {
        this.statements.finish.run('done', attempt, now, null, name, row.id);
        return;
      }
      const lastError = failure instanceof Error ? failure.message : inspect(failure);
      if (attempt >= row.max_attempts) {
        log.error({ err: failure }, 'job failed for good');
        this.statements.finish.run('failed', attempt, now, lastError, name, row.id);
        return;
      }
      const retryAt = now + backoffDelayMs(row.backoff_ms, attempt);
      log.warn({ err: failure, retryAt }, 'job failed; it will be retried');
      this.statements.retry.run(attempt, retryAt, lastError, name, row.id);
    } catch (error) {
      // The row stays active and runs again after a restart.
      log.error({ err: error }, 'could not record the outcome of a job');
    }
  }

  private wake(): void {
    if (this.wakeScheduled || this.closing !== null || this.processors.size === 0) {
      return;
    }
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.pollSafely();
    });
  }

  private pollSafely(): void {
    try {
      this.poll();
    } catch (error) {
      this.logger.error({ err: error }, 'polling the job queue failed');
    }
  }

  /** Runs a synchronous statement with the rejection semantics of an async adapter. */
  private run<T>(operation: () => T): Promise<T> {
    if (this.closing !== null) {
      return Promise.reject(new Error('job queue is closed'));
    }
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function prepareStatements(db: Database) {
  type Counts = { waiting: number; delayed: number; active: number; failed: number };
  return {
    insert: db.prepare<[string, string, string, number, number, number, number]>(`
      INSERT INTO jobs (name, id, data, run_at, attempt, max_attempts, backoff_ms, state, created_at)
      VALUES (?, ?, ?, ?, 0, ?, ?, 'queued', ?)
      ON CONFLICT (name, id) DO NOTHING
    `),
    selectDue: db.prepare<[string, number, number], DueRow>(`
      SELECT id, data, attempt, max_attempts, backoff_ms FROM jobs
      WHERE name = ? AND state = 'queued' AND run_at <= ?
      ORDER BY run_at, rowid
      LIMIT ?
    `),
    markActive: db.prepare<[number, string, string]>(
      `UPDATE jobs SET state = 'active', locked_until = ? WHERE name = ? AND id = ?`,
    ),
    // For finished rows run_at records when they finished; pruning goes by it.
    finish: db.prepare<
      [Extract<JobState, 'done' | 'failed'>, number, number, string | null, string, string]
    >(`
      UPDATE jobs SET state = ?, attempt = ?, run_at = ?, locked_until = NULL, last_error = ?
      WHERE name = ? AND id = ?
    `),
    retry: db.prepare<[number, number, string, string, string]>(`
      UPDATE jobs SET state = 'queued', attempt = ?, run_at = ?, locked_until = NULL, last_error = ?
      WHERE name = ? AND id = ?
    `),
    retryFailed: db.prepare<[number, string, string]>(`
      UPDATE jobs SET state = 'queued', attempt = 0, run_at = ?, locked_until = NULL, last_error = NULL
      WHERE name = ? AND id = ? AND state = 'failed'
    `),
    removeQueued: db.prepare<[string, string]>(
      `DELETE FROM jobs WHERE name = ? AND id = ? AND state = 'queued'`,
    ),
    counts: db.prepare<[number, number, string], Counts>(`
      SELECT
        COALESCE(SUM(state = 'queued' AND run_at <= ?), 0) AS waiting,
        COALESCE(SUM(state = 'queued' AND run_at > ?), 0) AS delayed,
        COALESCE(SUM(state = 'active'), 0) AS active,
        COALESCE(SUM(state = 'failed'), 0) AS failed
      FROM jobs WHERE name = ?
    `),
    // Any name: a job that is running, or queued and due (delayed ones count once their time has come).
    busy: db.prepare<[number], { found: number }>(`
      SELECT 1 AS found FROM jobs WHERE state = 'active' OR (state = 'queued' AND run_at <= ?) LIMIT 1
    `),
    recoverActive: db.prepare<[]>(
      `UPDATE jobs SET state = 'queued', locked_until = NULL WHERE state = 'active'`,
    ),
    pruneFinished: db.prepare<[number, number]>(`
      DELETE FROM jobs WHERE (state = 'done' AND run_at < ?) OR (state = 'failed' AND run_at < ?)
    `),
  };
}
