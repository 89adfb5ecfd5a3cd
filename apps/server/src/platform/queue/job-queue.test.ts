import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase, { type Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { ManualClock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import { closeRedis, connectRedis, type RedisClient } from '../redis';
import { BullmqJobQueue, fromBullmqJobId, toBullmqJobId, toBullmqQueueName } from './bullmq-job-queue';
import { describeJobQueueContract, MAIL } from './job-queue.contract';
import type { JobContext } from './job-queue.port';
import { LocalJobQueue } from './local-job-queue';

// Job failures are part of the contract; keep their logs out of the test output.
const logger = createLogger('silent');
const hour = 3600_000;

describe('LocalJobQueue', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-queue-'));
  const databases: Database[] = [];
  let files = 0;

  function openDb(file = path.join(dir, `queue-${(files += 1)}.sqlite`)): Database {
    const db = new SqliteDatabase(file);
    databases.push(db);
    return db;
  }

  afterAll(() => {
    for (const db of databases) {
      db.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeJobQueueContract(
    'LocalJobQueue',
    () => new LocalJobQueue(openDb(), { logger, pollIntervalMs: 20 }),
  );

  it('a job left active by a crash runs again after restart', async () => {
    const file = path.join(dir, 'crash.sqlite');
    const crashed = new LocalJobQueue(openDb(file), { logger, pollIntervalMs: hour });
    let release = (): void => undefined;
    const hang = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: number[] = [];
    crashed.process(MAIL, async (job) => {
      started.push(job.attempt);
      await hang;
    });
    await crashed.enqueue(MAIL, { n: 1 }, { jobId: 'j1' });
    await waitFor(() => started.length === 1);
    expect(await crashed.counts(MAIL)).toEqual({ waiting: 0, delayed: 0, active: 1, failed: 0 });

    // The first process never finishes; a new one opens the same file.
    const restarted = new LocalJobQueue(openDb(file), { logger });
    const ran: JobContext<unknown>[] = [];
    restarted.process(MAIL, (job) => {
      ran.push(job);
      return Promise.resolve();
    });
    await restarted.drain();
    // The interrupted try was not a failure, so this is still attempt 1.
    expect(ran).toEqual([{ id: 'j1', name: 'mail', data: { n: 1 }, attempt: 1, maxAttempts: 5 }]);
    await restarted.close();
    release();
    await crashed.close();
  });

  it('queued jobs survive closing and reopening the database', async () => {
    const file = path.join(dir, 'restart.sqlite');
    const clock = new ManualClock();
    const firstDb = openDb(file);
    const first = new LocalJobQueue(firstDb, { logger, clock });
    await first.enqueue(MAIL, 'now');
    await first.enqueue(MAIL, 'later', { delayMs: 5_000 });
    await first.close();
    firstDb.close();

    const second = new LocalJobQueue(openDb(file), { logger, clock });
    const ran: unknown[] = [];
    second.process(MAIL, (job) => {
      ran.push(job.data);
      return Promise.resolve();
    });
    await second.drain();
    expect(ran).toEqual(['now']);
    clock.advance(5_000);
    await second.drain();
    expect(ran).toEqual(['now', 'later']);
    await second.close();
  });

  it('retries wait backoffMs * 2^(attempt-1) on the clock, then the job fails for good', async () => {
    const clock = new ManualClock();
    const db = openDb();
    const queue = new LocalJobQueue(db, { logger, clock, pollIntervalMs: hour });
    const attempts: number[] = [];
    queue.process(MAIL, (job) => {
      attempts.push(job.attempt);
      return Promise.reject(new Error(`try ${job.attempt}`));
    });
    await queue.enqueue(MAIL, null, { jobId: 'j', attempts: 3, backoffMs: 1_000 });
    await queue.drain();
    expect(attempts).toEqual([1]);
    clock.advance(999);
    await queue.drain();
    expect(attempts).toEqual([1]);
    clock.advance(1);
    await queue.drain();
    expect(attempts).toEqual([1, 2]);
    clock.advance(1_999);
    await queue.drain();
    expect(attempts).toEqual([1, 2]);
    clock.advance(1);
    await queue.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await queue.counts(MAIL)).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 1 });
    expect(db.prepare('SELECT state, attempt, last_error FROM jobs WHERE id = ?').get('j')).toEqual({
      state: 'failed',
      attempt: 3,
      last_error: 'try 3',
    });
    await queue.close();
  });

  it('a delayed job runs when the clock reaches its time', async () => {
    const clock = new ManualClock();
    const queue = new LocalJobQueue(openDb(), { logger, clock, pollIntervalMs: hour });
    const ran: string[] = [];
    queue.process(MAIL, (job) => {
      ran.push(job.id);
      return Promise.resolve();
    });
    await queue.enqueue(MAIL, null, { jobId: 'later', delayMs: 5_000 });
    clock.advance(4_999);
    await queue.drain();
    expect(ran).toEqual([]);
    expect(await queue.counts(MAIL)).toEqual({ waiting: 0, delayed: 1, active: 0, failed: 0 });
    clock.advance(1);
    expect(await queue.counts(MAIL)).toEqual({ waiting: 1, delayed: 0, active: 0, failed: 0 });
    await queue.drain();
    expect(ran).toEqual(['later']);
    await queue.close();
  });

  it('a done job keeps its id for a day, then the id can run again', async () => {
    const clock = new ManualClock();
    const queue = new LocalJobQueue(openDb(), { logger, clock, pollIntervalMs: hour });
    let runs = 0;
    queue.process(MAIL, () => {
      runs += 1;
      return Promise.resolve();
    });
    await queue.enqueue(MAIL, null, { jobId: 'daily' });
    await queue.drain();
    clock.advance(23 * hour);
    await queue.enqueue(MAIL, null, { jobId: 'daily' });
    await queue.drain();
    expect(runs).toBe(1);
    clock.advance(hour + 1);
    // This poll prunes the done row.
    await queue.drain();
    await queue.enqueue(MAIL, null, { jobId: 'daily' });
    await queue.drain();
    expect(runs).toBe(2);
    await queue.close();
  });

  it('refuses a second handler for the same name', async () => {
    const queue = new LocalJobQueue(openDb(), { logger });
    queue.process(MAIL, () => Promise.resolve());
    expect(() => {
      queue.process(MAIL, () => Promise.resolve());
    }).toThrow(/already processed/);
    await queue.close();
  });
});

describe('BullMQ id mapping', () => {
  it('maps job ids to ones BullMQ accepts and back', () => {
    expect(toBullmqJobId('booking:17:offer')).toBe('booking%3A17%3Aoffer');
    expect(toBullmqJobId('42')).toBe('%342');
    expect(toBullmqJobId('-7')).toBe('%2D7');
    expect(toBullmqJobId('a_b')).toBe('a_b');
    expect(toBullmqJobId('100%')).toBe('100%25');
    for (const id of ['booking:17:offer', '42', '-7', 'a_b', '100%', '%3A', '{x}', '7e3']) {
      expect(fromBullmqJobId(toBullmqJobId(id))).toBe(id);
    }
  });

  it('wraps queue names in a hash tag', () => {
    expect(toBullmqQueueName('dispatch.offer')).toBe('{dispatch.offer}');
    expect(toBullmqQueueName('a:b')).toBe('{a%3Ab}');
  });
});

describe.runIf(isCluster)('BullmqJobQueue', () => {
  const prefix = uniquePrefix('queue');
  let redis: RedisClient;
  let opened = 0;

  beforeAll(async () => {
    // Unreachable Redis fails here: the cluster tier never skips.
    redis = await connectRedis(redisUrl, 'queue-test');
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    await closeRedis(redis);
  });

  describeJobQueueContract('BullmqJobQueue', () => {
    opened += 1;
    return new BullmqJobQueue({ url: redisUrl, prefix: `${prefix}${opened}:`, logger });
  });

  it('keeps jobs under <prefix>{<name>}: with mapped ids', async () => {
    const queue = new BullmqJobQueue({ url: redisUrl, prefix: `${prefix}layout:`, logger });
    await queue.enqueue(MAIL, { n: 1 }, { jobId: 'booking:1' });
    expect(await redis.exists(`${prefix}layout:{mail}:booking%3A1`)).toBe(1);
    await queue.close();
  });
});
