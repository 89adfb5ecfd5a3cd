import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadlineApp } from '../../app';
import { drained } from '../../../test/support/drained';
import { StatementLog } from '../../../test/support/statement-log';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { Type, type Static } from '@sinclair/typebox';
import { ManualClock } from '../../lib/clock';
import { OUTBOX_JOB, OutboxWriter, Topic, type OutboxDelivery, type OutboxEvent } from './outbox';

const HAPPENED = new Topic('test.happened', Type.Object({ n: Type.Union([Type.Number(), Type.String()]) }));
const BATCHED = new Topic('test.batched', Type.Object({ n: Type.Number() }));

describe(`transactional outbox (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const received: OutboxEvent<Static<typeof HAPPENED.schema>>[] = [];
  const batched: { id: string; delivery: OutboxDelivery }[] = [];
  const failOnce = new Set<string>();

  beforeAll(async () => {
    env = await TestEnvironment.create('outbox');
    // No worker role: the test drives the relay by hand.
    app = await env.start({ roles: [] });
    app.platform.relay.consume(HAPPENED, 'test-consumer', (event) => {
      received.push(event);
      return Promise.resolve();
    });
    app.platform.relay.consume(BATCHED, 'batch-consumer', (event, delivery) => {
      batched.push({ id: event.id, delivery });
      if (failOnce.delete(event.id)) {
        return Promise.reject(new Error('not this time'));
      }
      return Promise.resolve();
    });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('an event written in a rolled-back transaction is never published', async () => {
    const { router, ids, outbox, relay } = app.platform;
    const aggregateId = ids.next(10);
    await expect(
      router
        .forId(aggregateId)
        .db.transaction()
        .execute(async (trx) => {
          await outbox.append(trx, { topic: HAPPENED, aggregateId, payload: { n: 0 } });
          throw new Error('change failed');
        }),
    ).rejects.toThrow('change failed');
    expect(await relay.drain()).toBe(0);
  });

  it('committed events reach their consumer once, even when the relay runs again', async () => {
    const { router, ids, outbox, relay } = app.platform;
    const aggregates = [ids.next(1), ids.next(2000), ids.next(4000)];
    for (const [n, aggregateId] of aggregates.entries()) {
      await router
        .forId(aggregateId)
        .db.transaction()
        .execute(async (trx) => {
          await outbox.append(trx, { topic: HAPPENED, aggregateId, payload: { n } });
        });
    }
    expect(await relay.drain()).toBe(3);
    expect(await relay.drain()).toBe(0);
    await drained(app);
    expect(received.map((event) => event.payload)).toEqual(
      expect.arrayContaining([{ n: 0 }, { n: 1 }, { n: 2 }]),
    );
    expect(received).toHaveLength(3);
    expect(received.map((event) => event.aggregateId).sort()).toEqual([...aggregates].sort());
  });

  it('an event published twice (a crash before it was marked) still makes one job', async () => {
    const { router, ids, outbox, relay } = app.platform;
    const aggregateId = ids.next(77);
    const db = router.forId(aggregateId).db;
    const eventId = await db
      .transaction()
      .execute((trx) => outbox.append(trx, { topic: HAPPENED, aggregateId, payload: { n: 'again' } }));
    expect(await relay.drain()).toBe(1);
    // Simulate a relay that published but died before marking the row.
    await db.updateTable('outbox').set({ published_at: null }).where('id', '=', eventId).execute();
    expect(await relay.drain()).toBe(1);
    // Every job either publication could have made has run.
    await drained(app);
    expect(received.filter((event) => event.id === eventId)).toHaveLength(1);
  });

  it('a payload that does not match its topic is skipped by the consumer, which gets only checked payloads', async () => {
    const { router, ids, outbox, relay } = app.platform;
    // The same topic written by code that disagrees about its payload, as another version would.
    const older = new Topic('test.happened', Type.Object({ count: Type.Number() }));
    const aggregateId = ids.next(5);
    const db = router.forId(aggregateId).db;
    const malformed = await db
      .transaction()
      .execute((trx) => outbox.append(trx, { topic: older, aggregateId, payload: { count: 1 } }));
    const wellFormed = await db
      .transaction()
      .execute((trx) => outbox.append(trx, { topic: HAPPENED, aggregateId, payload: { n: 5 } }));
    expect(await relay.drain()).toBe(2);
    await drained(app);
    expect(received.some((event) => event.id === wellFormed)).toBe(true);
    expect(received.some((event) => event.id === malformed)).toBe(false);
  });

  it('the events a pass takes from a shard travel in one job; one that fails there goes on in its own', async () => {
    const { router, ids, outbox, relay, queue } = app.platform;
    const aggregateId = ids.next(300);
    const db = router.forId(aggregateId).db;
    const eventIds = await db.transaction().execute(async (trx) => {
      const written: string[] = [];
      for (let n = 0; n < 5; n += 1) {
        written.push(await outbox.append(trx, { topic: BATCHED, aggregateId, payload: { n } }));
      }
      return written;
    });
    const failing = eventIds[2] ?? '';
    failOnce.add(failing);
    const enqueue = vi.spyOn(queue, 'enqueue');
    try {
      expect(await relay.drain()).toBe(5);
      const consumed = async () => {
        const rows = await db
          .selectFrom('outbox')
          .select('consumed_at')
          .where('id', 'in', eventIds)
          .execute();
        return rows.every((row) => row.consumed_at !== null);
      };
      await waitFor(consumed, 10_000);
      // One job for the pass, then the failed event's own job, queued by the batch (it may run before drain returns).
      expect(enqueue.mock.calls.map(([type, data]) => [type.name, data])).toEqual([
        [
          OUTBOX_JOB.name,
          { events: eventIds.map((id): unknown => expect.objectContaining({ id, aggregateId })) },
        ],
        [OUTBOX_JOB.name, expect.objectContaining({ id: failing, triedBefore: 1 })],
      ]);
    } finally {
      enqueue.mockRestore();
    }
    const tries = (id: string) => batched.filter((entry) => entry.id === id).map((entry) => entry.delivery);
    for (const id of eventIds.filter((eventId) => eventId !== failing)) {
      expect(tries(id)).toEqual([{ attempt: 1, maxAttempts: 10 }]);
    }
    // Its second try counts the first: the consumer can still tell its last one.
    expect(tries(failing)).toEqual([
      { attempt: 1, maxAttempts: 10 },
      { attempt: 2, maxAttempts: 10 },
    ]);
  });

  it('a pass over shards with nothing new reads each shard once and locks nothing', async () => {
    const { relay, router } = app.platform;
    await relay.drain();
    const log = new StatementLog();
    const shard = router.shards[0];
    if (shard === undefined) {
      throw new Error('no shard');
    }
    log.install(shard.db.getExecutor());
    try {
      const { result, statements } = await log.during(() => relay.drain());
      expect(result).toBe(0);
      expect(statements).toHaveLength(router.shards.length);
      expect(statements.filter((statement) => /for update/i.test(statement))).toEqual([]);
    } finally {
      log.uninstall();
    }
  });

  it('a pass after this process appended takes those shards without asking first; what others appended waits for the pass over all', async () => {
    const { relay, router, ids, outbox, clock } = app.platform;
    await relay.drain();
    const ours = ids.next(20);
    const theirs = ids.next(3000);
    expect(router.forId(ours)).not.toBe(router.forId(theirs));
    // Another process's writer: this relay is not told of its events.
    const elsewhere = new OutboxWriter(ids, clock);
    await router
      .forId(theirs)
      .db.transaction()
      .execute((trx) =>
        elsewhere.append(trx, { topic: HAPPENED, aggregateId: theirs, payload: { n: 'theirs' } }),
      );
    const eventId = await router
      .forId(ours)
      .db.transaction()
      .execute((trx) => outbox.append(trx, { topic: HAPPENED, aggregateId: ours, payload: { n: 'ours' } }));
    const log = new StatementLog();
    log.install(router.forId(ours).db.getExecutor());
    try {
      const { result, statements } = await log.during(() => relay.drainAppended());
      expect(result).toBe(1);
      // The locking read and the mark: no read of any shard first.
      expect(statements).toHaveLength(2);
      expect(statements[0]).toMatch(/order by/i);
      expect(statements[1]).toMatch(/^update [`"]outbox[`"] set [`"]published_at/i);
      const again = await log.during(() => relay.drainAppended());
      expect(again).toEqual({ result: 0, statements: [] });
    } finally {
      log.uninstall();
    }
    const published = await router
      .forId(theirs)
      .db.selectFrom('outbox')
      .select('published_at')
      .where('aggregate_id', '=', theirs)
      .executeTakeFirstOrThrow();
    expect(published.published_at).toBeNull();
    expect(await relay.drain()).toBe(1);
    await drained(app);
    expect(received.filter((event) => event.id === eventId)).toHaveLength(1);
    expect(received.filter((event) => event.aggregateId === theirs)).toHaveLength(1);
  });
});

// Cluster tier: an embedded shard's pass waits for the open transaction's lock, so it cannot run in between.
describe.runIf(isCluster)(`the relay while the app's clock stands still (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    env = await TestEnvironment.create('outboxclock');
    // The worker role runs the relay on its own timers.
    app = await env.start({ clock, roles: ['worker'] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('an event whose note a pass took before the commit is published by the next pass over every shard', async () => {
    const { router, ids, outbox, relay } = app.platform;
    const aggregateId = ids.next(40);
    let commit = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let appended: () => void = () => undefined;
    const noted = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const writing = router
      .forId(aggregateId)
      .db.transaction()
      .execute(async (trx) => {
        // The row goes with the COMMIT; the relay is told of its shard now.
        const id = await outbox.append(trx, { topic: HAPPENED, aggregateId, payload: { n: 'late' } });
        appended();
        await held;
        return id;
      });
    await noted;
    // A pass another commit woke: it takes the note and finds nothing yet.
    expect(await relay.drainAppended()).toBe(0);
    commit();
    const eventId = await writing;
    // Nothing pokes the relay now and the app's clock does not move: only the pass over every
    // shard, once an interval of the process's own time, can find the event.
    await waitFor(async () => {
      const row = await router
        .forId(aggregateId)
        .db.selectFrom('outbox')
        .select('published_at')
        .where('id', '=', eventId)
        .executeTakeFirst();
      return row !== undefined && row.published_at !== null;
    }, 5_000);
  });
});
