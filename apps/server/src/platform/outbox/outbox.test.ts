import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { drained } from '../../../test/support/drained';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import type { OutboxJob } from './outbox';

describe(`transactional outbox (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const received: OutboxJob[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('outbox');
    // No worker role: the test drives the relay by hand.
    app = await env.start({ roles: [] });
    app.platform.relay.consume('test.happened', 'test-consumer', (event) => {
      received.push(event);
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
          await outbox.append(trx, { topic: 'test.happened', aggregateId, payload: { n: 0 } });
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
          await outbox.append(trx, { topic: 'test.happened', aggregateId, payload: { n } });
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
      .execute((trx) => outbox.append(trx, { topic: 'test.happened', aggregateId, payload: { n: 'again' } }));
    expect(await relay.drain()).toBe(1);
    // Simulate a relay that published but died before marking the row.
    await db.updateTable('outbox').set({ published_at: null }).where('id', '=', eventId).execute();
    expect(await relay.drain()).toBe(1);
    // Every job either publication could have made has run.
    await drained(app);
    expect(received.filter((event) => event.id === eventId)).toHaveLength(1);
  });
});
