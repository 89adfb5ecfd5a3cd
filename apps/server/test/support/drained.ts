import type { LoadlineApp } from '../../src/app';
import { waitFor } from './wait';

interface OutboxState {
  rows: number;
  published: number;
}

/** Outbox rows and how many of them are published, summed over every shard. */
async function outboxState(app: LoadlineApp): Promise<OutboxState> {
  const perShard = await Promise.all(
    app.platform.pool.shards.map((shard) =>
      shard.db
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll().as('rows'), eb.fn.count('published_at').as('published')])
        .executeTakeFirstOrThrow(),
    ),
  );
  return perShard.reduce<OutboxState>(
    (sum, shard) => ({
      rows: sum.rows + Number(shard.rows),
      published: sum.published + Number(shard.published),
    }),
    { rows: 0, published: 0 },
  );
}

/**
 * Waits until the background work already set off has all run: no outbox row
 * waits to be published on any shard, and the job queue has nothing waiting,
 * running or due (jobs delayed into the future are not waited for). A test that
 * shows that something did not happen waits for this first, so that whatever
 * could have made it happen has finished.
 *
 * The app must consume what it produces: the worker role, or a relay and
 * consumers the test drives itself (then publish with `relay.drain()` first).
 */
export async function drained(app: LoadlineApp, timeoutMs = 15_000): Promise<void> {
  let last = 'not looked at yet';
  try {
    await waitFor(
      async () => {
        // Work passes between the outbox and the queue: the relay queues a job before it marks
        // the row, and a job writes its rows before it finishes. An outbox with nothing pending,
        // then an idle queue, then the same outbox again (no row written or published since)
        // leaves no moment in which work could have been in flight.
        const before = await outboxState(app);
        const idle = await app.platform.queue.idle();
        const after = await outboxState(app);
        last = `outbox ${JSON.stringify(before)} then ${JSON.stringify(after)}, queue idle: ${idle}`;
        return (
          before.rows === before.published &&
          idle &&
          after.rows === before.rows &&
          after.published === before.published
        );
      },
      timeoutMs,
      20,
    );
  } catch (error) {
    throw new Error(`background work did not drain within ${timeoutMs} ms (${last})`, { cause: error });
  }
}
