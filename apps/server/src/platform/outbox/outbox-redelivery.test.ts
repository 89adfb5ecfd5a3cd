import { Type } from '@sinclair/typebox';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadlineApp } from '../../app';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { ShiftedClock } from '../../../test/support/shifted-clock';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, redisUrl, tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { toBullmqQueueName } from '../queue/bullmq-job-queue';
import { OUTBOX_JOB, Topic } from './outbox';

const NOTED = new Topic('test.noted', Type.Object({ n: Type.Number() }));
const NOT_CONSUMED = new Topic('test.unheard', Type.Object({ n: Type.Number() }));

/** The relay's default: an event queued this long ago and not consumed is queued again. */
const REDELIVER_AFTER_MS = 60_000;
/** The relay's default: consumed events are deleted this long after. */
const RETENTION_MS = 3 * 24 * 3600_000;

describe(`outbox events stay until consumed (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const clock = new ShiftedClock();
  let consumerDown = true;
  const tries: string[] = [];
  const received: string[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('outboxkept');
    // Only this test's consumer: no module's workers.
    app = await env.start({ roles: [], clock });
    app.platform.relay.consume(NOTED, 'flaky', (event) => {
      tries.push(event.id);
      if (consumerDown) {
        return Promise.reject(new Error('consumer cannot run yet'));
      }
      received.push(event.id);
      return Promise.resolve();
    });
    app.platform.relay.start();
  });

  afterAll(async () => {
    await app.platform.relay.stop();
    await env.destroy();
  });

  async function append(topic: Topic<typeof NOTED.schema>, n: number): Promise<string> {
    const { ids, router, outbox } = app.platform;
    const aggregateId = ids.next(n);
    const id = await router
      .forId(aggregateId)
      .db.transaction()
      .execute((trx) => outbox.append(trx, { topic, aggregateId, payload: { n } }));
    app.platform.relay.poke();
    return id;
  }

  async function row(id: string) {
    return app.platform.router
      .forId(id)
      .db.selectFrom('outbox')
      .select(['published_at', 'consumed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** Loses every queued outbox job: the queue's Redis keys under this test's prefix, or the queued row. */
  async function loseQueuedJobs(eventId: string): Promise<void> {
    if (isCluster) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        await deleteKeysByPrefix(redis, `${env.redisPrefix ?? ''}${toBullmqQueueName(OUTBOX_JOB.name)}`);
      } finally {
        redis.disconnect();
      }
    } else {
      expect(await app.platform.queue.remove(OUTBOX_JOB, `evt-${eventId}`)).toBe(true);
    }
  }

  it('an event whose queued job was lost before its consumer ran reaches the consumer once overdue', async () => {
    const id = await append(NOTED, 7);
    // The first try fails; the job waits for its retry, and then the queue loses it.
    await waitFor(
      async () => tries.includes(id) && (await app.platform.queue.counts(OUTBOX_JOB)).delayed === 1,
    );
    await loseQueuedJobs(id);
    expect(await app.platform.queue.counts(OUTBOX_JOB)).toEqual({
      waiting: 0,
      delayed: 0,
      active: 0,
      failed: 0,
    });
    consumerDown = false;
    expect((await row(id)).consumed_at).toBeNull();

    clock.advance(REDELIVER_AFTER_MS);
    await waitFor(() => received.includes(id), 10_000);
    await waitFor(async () => (await row(id)).consumed_at !== null, 5_000);
    expect(received.filter((eventId) => eventId === id)).toHaveLength(1);
  });

  it('an event whose job gave up reaches its consumer once overdue: the job is given its tries again', async () => {
    consumerDown = true;
    const { ids, router, outbox, queue } = app.platform;
    const aggregateId = ids.next(9);
    const shard = router.forId(aggregateId);
    // A job for the event with a single try, queued before the relay's, fails for good at once.
    const id = await shard.db.transaction().execute(async (trx) => {
      const eventId = await outbox.append(trx, { topic: NOTED, aggregateId, payload: { n: 9 } });
      await queue.enqueue(
        OUTBOX_JOB,
        {
          id: eventId,
          topic: NOTED.name,
          aggregateId,
          payload: { n: 9 },
          createdAt: Date.now(),
          shard: shard.index,
        },
        { jobId: `evt-${eventId}`, attempts: 1 },
      );
      return eventId;
    });
    await waitFor(async () => (await queue.counts(OUTBOX_JOB)).failed === 1);
    app.platform.relay.poke();
    await waitFor(async () => (await row(id)).published_at !== null, 5_000);
    consumerDown = false;

    clock.advance(REDELIVER_AFTER_MS);
    await waitFor(() => received.includes(id), 10_000);
    await waitFor(async () => (await row(id)).consumed_at !== null, 5_000);
    // The retried job completes once the mark is written; nothing stays failed.
    await waitFor(async () => {
      const counts = await queue.counts(OUTBOX_JOB);
      return counts.failed === 0 && counts.active === 0;
    }, 5_000);
  });

  it('pruning deletes consumed events only: one published long ago and never consumed is kept and delivered', async () => {
    consumerDown = false;
    const { ids, router, clock: appClock } = app.platform;
    const aggregateId = ids.next(11);
    const db = router.forId(aggregateId).db;
    const longAgo = appClock.now() - RETENTION_MS - 3600_000;
    const row = (n: number, consumedAt: number | null) => ({
      id: ids.next(11),
      topic: NOTED.name,
      aggregate_id: aggregateId,
      payload: JSON.stringify({ n }),
      created_at: longAgo,
      published_at: longAgo,
      consumed_at: consumedAt,
    });
    const consumed = row(11, longAgo);
    const unconsumed = row(12, null);
    await db.insertInto('outbox').values([consumed, unconsumed]).execute();

    // Past the hourly prune, with the queue down: the pass cannot queue the event again, and prunes.
    const queueDown = vi
      .spyOn(app.platform.queue, 'enqueue')
      .mockRejectedValue(new Error('queue unreachable'));
    clock.advance(3600_000);
    const left = () =>
      db.selectFrom('outbox').select('id').where('id', 'in', [consumed.id, unconsumed.id]).execute();
    await waitFor(async () => (await left()).length < 2, 5_000);
    expect((await left()).map((kept) => kept.id)).toEqual([unconsumed.id]);

    queueDown.mockRestore();
    clock.advance(REDELIVER_AFTER_MS);
    await waitFor(() => received.includes(unconsumed.id), 10_000);
    expect(received).not.toContain(consumed.id);
  });

  it('an event no consumer takes is consumed as it is published', async () => {
    const id = await append(NOT_CONSUMED, 8);
    await waitFor(async () => (await row(id)).published_at !== null, 5_000);
    const stored = await row(id);
    expect(stored.consumed_at).toBe(stored.published_at);
  });
});
