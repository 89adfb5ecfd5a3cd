import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Kysely, Transaction } from 'kysely';
import { MalformedMessageError, MessageKind } from '../../lib/message-kind';
import type { Logger } from '../../lib/logger';
import type { Clock } from '../../lib/clock';
import type { IdGenerator } from '../db/ids';
import { logicalShardOf } from '../db/ids';
import type { Database } from '../db/schema';
import type { Shard } from '../db/shard-pool';
import { JobType, type JobQueue } from '../queue/job-queue.port';

export interface OutboxEvent<P = unknown> {
  id: string;
  topic: string;
  aggregateId: string;
  payload: P;
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * An outbox topic: its name and the schema of its payload. Writers are typed
 * by the schema; each consumer gets the payload checked against it.
 */
export class Topic<S extends TSchema> extends MessageKind<S> {
  readonly kind = 'topic';
}

export interface OutboxMessage<S extends TSchema> {
  topic: Topic<S>;
  /** The row the event is about; the event lands on that row's shard. */
  aggregateId: string;
  payload: Static<S>;
}

/** The queue job that carries one event (IDs only, never personal data) to every consumer of its topic. */
export const OUTBOX_JOB = new JobType(
  'outbox.event',
  Type.Object({
    id: Type.String(),
    topic: Type.String(),
    aggregateId: Type.String(),
    // Checked by each consumer against its topic's schema.
    payload: Type.Unknown(),
    createdAt: Type.Number(),
  }),
);

/**
 * Which delivery of an event a consumer is running: the queue job's try and
 * how many it has. On the last (`attempt === maxAttempts`) a consumer whose
 * work cannot be left undone can settle the matter another way before the
 * event is given up.
 */
export interface OutboxDelivery {
  attempt: number;
  maxAttempts: number;
}

/** Handles one event; runs at least once per event, so it must be idempotent. */
export type OutboxConsumer<P = unknown> = (event: OutboxEvent<P>, delivery: OutboxDelivery) => Promise<void>;

/**
 * Appends events in the caller's transaction, so an event exists exactly when
 * the change it describes was committed.
 */
export class OutboxWriter {
  constructor(
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async append<S extends TSchema>(
    trx: Transaction<Database> | Kysely<Database>,
    message: OutboxMessage<S>,
  ): Promise<string> {
    const id = this.ids.next(logicalShardOf(message.aggregateId));
    await trx
      .insertInto('outbox')
      .values({
        id,
        topic: message.topic.name,
        aggregate_id: message.aggregateId,
        payload: JSON.stringify(message.payload),
        created_at: this.clock.now(),
        published_at: null,
      })
      .execute();
    return id;
  }
}

export interface OutboxRelayOptions {
  shards: readonly Shard[];
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Rows taken per shard per pass. */
  batchSize?: number;
  /** Idle polling interval; `poke()` wakes the relay sooner. */
  intervalMs?: number;
  /** Published rows are deleted after this long. */
  retentionMs?: number;
}

/**
 * Moves committed outbox rows to their consumers: one queue job per event,
 * deduplicated by event ID, in which every consumer of the event's topic runs.
 * A row is marked published only after its job is queued, so a crash in
 * between publishes it again (consumers are idempotent).
 * One job per event rather than per consumer keeps queue bookkeeping, the
 * largest cost of a write, flat as consumers are added.
 */
export class OutboxRelay {
  private readonly consumers = new Map<string, { name: string; handle: OutboxConsumer }[]>();
  private processing = false;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly retentionMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPrune = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.intervalMs = options.intervalMs ?? 250;
    this.retentionMs = options.retentionMs ?? 3 * 24 * 3600_000;
  }

  /**
   * Runs `handle` for every event of `topic`, in this process's queue workers.
   * Register consumers before `start()`: an event is queued only if its topic
   * has one. When any consumer of an event fails, the job is retried and every
   * consumer of it runs again. The handler gets the payload checked against
   * the topic's schema; a payload that does not match is reported at error
   * level and skipped by this consumer, as no retry could fix it.
   */
  consume<S extends TSchema>(topic: Topic<S>, name: string, handle: OutboxConsumer<Static<S>>): void {
    const list = this.consumers.get(topic.name) ?? [];
    if (list.some((consumer) => consumer.name === name)) {
      throw new Error(`outbox consumer ${name} is already registered for ${topic.name}`);
    }
    list.push({ name, handle: (event, delivery) => this.checked(topic, name, handle, event, delivery) });
    this.consumers.set(topic.name, list);
    if (!this.processing) {
      this.processing = true;
      this.options.queue.process(
        OUTBOX_JOB,
        (job) => this.runConsumers(job.data, { attempt: job.attempt, maxAttempts: job.maxAttempts }),
        {
          concurrency: 16,
        },
      );
    }
  }

  private async checked<S extends TSchema>(
    topic: Topic<S>,
    consumer: string,
    handle: OutboxConsumer<Static<S>>,
    event: OutboxEvent,
    delivery: OutboxDelivery,
  ): Promise<void> {
    let payload: Static<S>;
    try {
      payload = topic.parse(event.payload);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) {
        throw error;
      }
      this.options.logger.error(
        { alert: true, err: error, consumer, eventId: event.id, topic: event.topic },
        'malformed outbox event skipped',
      );
      return;
    }
    await handle({ ...event, payload }, delivery);
  }

  private async runConsumers(event: OutboxEvent, delivery: OutboxDelivery): Promise<void> {
    const consumers = this.consumers.get(event.topic) ?? [];
    const results = await Promise.allSettled(consumers.map((consumer) => consumer.handle(event, delivery)));
    const failed = consumers.filter((_, index) => results[index]?.status === 'rejected');
    if (failed.length > 0) {
      for (const [index, result] of results.entries()) {
        if (result.status === 'rejected') {
          this.options.logger.warn(
            { err: result.reason, consumer: consumers[index]?.name, eventId: event.id, topic: event.topic },
            'outbox consumer failed',
          );
        }
      }
      throw new Error(
        `outbox consumers failed for event ${event.id}: ${failed.map((consumer) => consumer.name).join(', ')}`,
      );
    }
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a pass soon: called after a commit that wrote events. */
  poke(): void {
    if (this.stopped) {
      return;
    }
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  /** One pass over every shard; returns how many events were published. */
  async drain(): Promise<number> {
    let total = 0;
    const results = await Promise.allSettled(this.options.shards.map((shard) => this.drainShard(shard)));
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        total += result.value;
      } else {
        this.options.logger.warn(
          { err: result.reason, shard: this.options.shards[index]?.label },
          'outbox relay pass failed',
        );
      }
    }
    return total;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass().finally(() => {
        this.running = null;
        if (!this.stopped) {
          this.schedule(this.again ? 0 : this.intervalMs);
          this.again = false;
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const published = await this.drain();
    if (published >= this.batchSize) {
      this.again = true;
    }
    const now = this.options.clock.now();
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      await this.prune(now - this.retentionMs);
    }
  }

  private async drainShard(shard: Shard): Promise<number> {
    let published = 0;
    for (;;) {
      // READ COMMITTED: the locking read takes record locks only, no gap locks that would
      // deadlock with transactions inserting new outbox rows meanwhile.
      const transaction =
        shard.dialect === 'mysql'
          ? shard.db.transaction().setIsolationLevel('read committed')
          : shard.db.transaction();
      const count = await transaction.execute(async (trx) => {
        let query = trx
          .selectFrom('outbox')
          .selectAll()
          .where('published_at', 'is', null)
          .orderBy('id')
          .limit(this.batchSize);
        if (shard.dialect === 'mysql') {
          // Several relays may run; each takes rows the others have not locked.
          query = query.forUpdate().skipLocked();
        }
        const rows = await query.execute();
        if (rows.length === 0) {
          return 0;
        }
        for (const row of rows) {
          await this.publish({
            id: row.id,
            topic: row.topic,
            aggregateId: row.aggregate_id,
            payload: JSON.parse(row.payload) as unknown,
            createdAt: row.created_at,
          });
        }
        await trx
          .updateTable('outbox')
          .set({ published_at: this.options.clock.now() })
          .where(
            'id',
            'in',
            rows.map((row) => row.id),
          )
          .execute();
        return rows.length;
      });
      published += count;
      if (count < this.batchSize || this.stopped) {
        return published;
      }
    }
  }

  private async publish(event: OutboxEvent): Promise<void> {
    if (this.consumers.has(event.topic)) {
      await this.options.queue.enqueue(OUTBOX_JOB, event, {
        jobId: `evt-${event.id}`,
        attempts: 10,
        backoffMs: 500,
      });
    }
  }

  private async prune(before: number): Promise<void> {
    await Promise.allSettled(
      this.options.shards.map((shard) =>
        shard.db.deleteFrom('outbox').where('published_at', '<', before).execute(),
      ),
    );
  }
}
