import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Kysely, SelectQueryBuilder, Selectable, Transaction } from 'kysely';
import { MalformedMessageError, MessageKind } from '../../lib/message-kind';
import type { Logger } from '../../lib/logger';
import type { Clock } from '../../lib/clock';
import type { IdGenerator } from '../db/ids';
import { logicalShardOf } from '../db/ids';
import { executeLater } from '../db/pipelined-transactions';
import type { Database, OutboxTable } from '../db/schema';
import type { Shard } from '../db/shard-pool';
import { performance } from 'node:perf_hooks';
import { JobType, type JobQueue } from '../queue/job-queue.port';
import { ConsumedMarks } from './consumed-marks';

type OutboxRow = Selectable<OutboxTable>;
type OutboxQuery = SelectQueryBuilder<Database, 'outbox', OutboxRow>;

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

/** One event as a queue job carries it (IDs only, never personal data). */
const OutboxEventData = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  aggregateId: Type.String(),
  // Checked by each consumer against its topic's schema.
  payload: Type.Unknown(),
  createdAt: Type.Number(),
  /** The shard (its index) holding the event's row, marked consumed there once every consumer has run; absent in jobs queued before it was added. */
  shard: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Tries the event had before this job: in the batch that first carried it. */
  triedBefore: Type.Optional(Type.Integer({ minimum: 0 })),
});

/**
 * The queue job that carries events to every consumer of their topics: one
 * event, or the events one relay pass took from a shard (`events`), whose
 * first delivery then pays the queue's bookkeeping once for all of them.
 */
export const OUTBOX_JOB = new JobType(
  'outbox.event',
  Type.Union([OutboxEventData, Type.Object({ events: Type.Array(OutboxEventData, { minItems: 2 }) })]),
);

type OutboxEventJobData = Static<typeof OutboxEventData>;

/** The data of the job that delivers the event stored in `row`, on the shard of index `shard`. */
export function outboxJobData(row: OutboxRow, shard: number): OutboxEventJobData {
  return {
    id: row.id,
    topic: row.topic,
    aggregateId: row.aggregate_id,
    payload: JSON.parse(row.payload) as unknown,
    createdAt: row.created_at,
    shard,
  };
}

/** Tries an event gets, counting its first delivery in a batch. */
const EVENT_ATTEMPTS = 10;
/** Events of one batch whose consumers run at once. */
const BATCH_CONCURRENCY = 8;

/** Job options of an event's job: the event id dedups it while the job exists. */
function eventJobOptions(eventId: string) {
  return { jobId: `evt-${eventId}`, attempts: EVENT_ATTEMPTS, backoffMs: 500 };
}

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
  /**
   * @param appended told the aggregate of every event appended (its
   *   transaction may still roll back), so the relay's next pass knows where to look.
   */
  constructor(
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly appended: (aggregateId: string) => void = () => undefined,
  ) {}

  async append<S extends TSchema>(
    trx: Transaction<Database> | Kysely<Database>,
    message: OutboxMessage<S>,
  ): Promise<string> {
    const id = this.ids.next(logicalShardOf(message.aggregateId));
    // The entry travels with the transaction's next statement or its COMMIT (ADR 0034).
    await executeLater(
      trx,
      trx.insertInto('outbox').values({
        id,
        topic: message.topic.name,
        aggregate_id: message.aggregateId,
        payload: JSON.stringify(message.payload),
        created_at: this.clock.now(),
        published_at: null,
      }),
    );
    this.appended(message.aggregateId);
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
  /**
   * Idle polling interval, and how often a pass looks at every shard; `poke()`
   * wakes the relay sooner, for the shards `noteAppended` named.
   */
  intervalMs?: number;
  /** Consumed rows are deleted after this long. */
  retentionMs?: number;
  /**
   * An event queued this long ago whose consumers have not all run is queued
   * again: its job was lost (Redis forgot it) or gave up. Well above the time
   * a job takes through its tries and a busy queue.
   */
  redeliverAfterMs?: number;
}

/** How often, by the relay's clock, it looks for events to queue again. */
const REDELIVERY_CHECK_MS = 5_000;

/**
 * Moves committed outbox rows to their consumers: one queue job per event,
 * deduplicated by event ID, in which every consumer of the event's topic runs.
 * A row is marked published once its job is queued (a crash in between
 * publishes it again; consumers are idempotent) and consumed once its job's
 * consumers have all run, in SQL on the row's shard. The queue is not the only
 * copy of an event: one published but not consumed after `redeliverAfterMs`
 * is queued again, so an event whose job Redis lost, or whose job gave up,
 * still reaches its consumers. Only consumed rows are pruned.
 * One job per event rather than per consumer keeps queue bookkeeping, the
 * largest cost of a write, flat as consumers are added; the events one pass
 * takes from a shard share one job for their first delivery (ADR 0035), and
 * an event that fails there goes on in its own.
 * Publishing, redelivery, pruning and consumption share this class's state (the
 * pass under way, its timer, the consumers, the consumed marks), and the event's
 * journey reads best in one place: that is why this file runs past ~400 lines.
 */
export class OutboxRelay {
  private readonly consumers = new Map<string, { name: string; handle: OutboxConsumer }[]>();
  private processing = false;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly retentionMs: number;
  private readonly redeliverAfterMs: number;
  private readonly marks: ConsumedMarks;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPrune = 0;
  private lastRedelivery = 0;
  /**
   * When the last pass over every shard began, by the process's monotonic
   * clock: the bound on how long an event can wait for one (ADR 0037) holds
   * whatever the app's clock does, a test's standing one included.
   */
  private lastFullPass = Number.NEGATIVE_INFINITY;
  /** Shards this process appended events to since a pass last looked at them. */
  private readonly appended = new Set<Shard>();

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.intervalMs = options.intervalMs ?? 250;
    this.retentionMs = options.retentionMs ?? 3 * 24 * 3600_000;
    this.redeliverAfterMs = options.redeliverAfterMs ?? 60_000;
    this.marks = new ConsumedMarks(options.shards, options.clock);
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
        async (job) => {
          if ('events' in job.data) {
            await this.deliverBatch(job.data.events);
            return;
          }
          const { shard, triedBefore = 0, ...event } = job.data;
          await this.runConsumers(event, {
            attempt: job.attempt + triedBefore,
            maxAttempts: job.maxAttempts + triedBefore,
          });
          // A mark that cannot be written fails the try: the consumers run again, which they bear.
          await this.marks.mark(shard ?? null, event.id);
        },
        {
          concurrency: 16,
        },
      );
    }
  }

  /**
   * The first delivery of a batch: each event's consumers run and the event is
   * marked consumed; an event whose consumers or mark fail goes on in a job of
   * its own, with the tries and backoff left to it. Only if that job cannot be
   * queued does the batch fail (and run again: consumers are idempotent).
   */
  private async deliverBatch(events: readonly OutboxEventJobData[]): Promise<void> {
    let next = 0;
    const deliverNext = async (): Promise<void> => {
      for (let event = events[next]; event !== undefined; event = events[next]) {
        next += 1;
        const { shard, triedBefore: _, ...fields } = event;
        try {
          await this.runConsumers(fields, { attempt: 1, maxAttempts: EVENT_ATTEMPTS });
          await this.marks.mark(shard ?? null, fields.id);
        } catch (error) {
          this.options.logger.warn(
            { err: error, eventId: fields.id, topic: fields.topic },
            'outbox event retried in a job of its own',
          );
          const options = eventJobOptions(fields.id);
          await this.options.queue.enqueue(
            OUTBOX_JOB,
            { ...event, triedBefore: 1 },
            { ...options, attempts: options.attempts - 1, delayMs: options.backoffMs },
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, events.length) }, deliverNext));
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

  /**
   * Notes that an event was appended on `shard`: the next pass takes that
   * shard's rows without first asking whether it has any. Events other
   * processes append wait for the pass over every shard, once an interval.
   */
  noteAppended(shard: Shard): void {
    this.appended.add(shard);
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
  drain(): Promise<number> {
    this.appended.clear();
    return this.everyShard(
      this.options.shards,
      (shard) => this.drainShard(shard),
      'outbox relay pass failed',
    );
  }

  /**
   * One pass over the shards `noteAppended` named since their last pass,
   * taking their rows straight away; returns how many events were published.
   */
  drainAppended(): Promise<number> {
    const shards = [...this.appended];
    this.appended.clear();
    return this.everyShard(shards, (shard) => this.takeUnpublished(shard), 'outbox relay pass failed');
  }

  /**
   * Queues again, on every shard, the events published at least
   * `redeliverAfterMs` ago that are not consumed yet; returns how many. Their
   * job id is the first one's, so a job that still exists is not doubled.
   */
  redeliver(): Promise<number> {
    return this.everyShard(
      this.options.shards,
      (shard) => this.redeliverShard(shard),
      'outbox redelivery failed',
    );
  }

  private async everyShard(
    shards: readonly Shard[],
    work: (shard: Shard) => Promise<number>,
    failure: string,
  ): Promise<number> {
    let total = 0;
    const results = await Promise.allSettled(shards.map(work));
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        total += result.value;
      } else {
        this.options.logger.warn({ err: result.reason, shard: shards[index]?.label }, failure);
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
    // Every shard once an interval (what other processes wrote, what a failed pass left);
    // between those, only where this process wrote (ADR 0037).
    let published: number;
    const startedAt = performance.now();
    if (startedAt - this.lastFullPass >= this.intervalMs) {
      this.lastFullPass = startedAt;
      published = await this.drain();
    } else {
      published = await this.drainAppended();
    }
    if (published >= this.batchSize) {
      this.again = true;
    }
    const now = this.options.clock.now();
    if (now - this.lastRedelivery >= REDELIVERY_CHECK_MS) {
      this.lastRedelivery = now;
      const redelivered = await this.redeliver();
      if (redelivered > 0) {
        this.options.logger.warn({ events: redelivered }, 'outbox events queued again: not consumed in time');
      }
    }
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      await this.prune(now - this.retentionMs);
    }
  }

  private async hasUnpublished(shard: Shard): Promise<boolean> {
    const row = await shard.db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes up to a batch of rows `select` picks, in one transaction (several
   * relays may run: on MySQL each locks the rows it takes and skips the
   * others'), queues a job for each and marks them published; a row whose
   * topic no consumer here takes is marked consumed too, as it has nothing to
   * wait for. Returns how many rows it took.
   */
  private async takeRows(
    shard: Shard,
    redelivery: boolean,
    select: (query: OutboxQuery) => OutboxQuery,
  ): Promise<number> {
    // READ COMMITTED: the locking read takes record locks only, no gap locks that would
    // deadlock with transactions inserting new outbox rows meanwhile.
    const transaction =
      shard.dialect === 'mysql'
        ? shard.db.transaction().setIsolationLevel('read committed')
        : shard.db.transaction();
    return transaction.execute(async (trx) => {
      let query = select(trx.selectFrom('outbox').selectAll()).limit(this.batchSize);
      if (shard.dialect === 'mysql') {
        query = query.forUpdate().skipLocked();
      }
      const rows = await query.execute();
      if (rows.length === 0) {
        return 0;
      }
      if (redelivery) {
        // All at once: the queue's client sends them as one pipeline, and the rows stay locked for one round trip.
        await Promise.all(rows.map((row) => this.publish(row, shard, true)));
      } else {
        await this.publishBatch(rows, shard);
      }
      const now = this.options.clock.now();
      const [awaited, unheard] = partition(rows, (row) => this.consumers.has(row.topic));
      // Both travel with the COMMIT (ADR 0034): the rows are locked, nothing else can move them.
      if (awaited.length > 0) {
        await executeLater(
          trx,
          trx.updateTable('outbox').set({ published_at: now }).where('id', 'in', awaited),
        );
      }
      if (unheard.length > 0) {
        await executeLater(
          trx,
          trx.updateTable('outbox').set({ published_at: now, consumed_at: now }).where('id', 'in', unheard),
        );
      }
      return rows.length;
    });
  }

  private async drainShard(shard: Shard): Promise<number> {
    // Most shards of a pass over all of them have nothing new: one plain read
    // says so, where the locking read would cost a transaction.
    if (!(await this.hasUnpublished(shard))) {
      return 0;
    }
    return this.takeUnpublished(shard);
  }

  /** Takes the shard's unpublished rows, a batch at a time, until a batch comes back short. */
  private async takeUnpublished(shard: Shard): Promise<number> {
    let published = 0;
    for (;;) {
      const count = await this.takeRows(shard, false, (query) =>
        query.where('published_at', 'is', null).orderBy('id'),
      );
      published += count;
      if (count < this.batchSize || this.stopped) {
        return published;
      }
    }
  }

  private redeliverShard(shard: Shard): Promise<number> {
    const before = this.options.clock.now() - this.redeliverAfterMs;
    return this.takeRows(shard, true, (query) =>
      query.where('consumed_at', 'is', null).where('published_at', '<=', before).orderBy('published_at'),
    );
  }

  /**
   * Queues the event's job. Again (`redelivery`), the job id makes it a new
   * job only if the queue lost the first; a first that gave up is given its
   * tries again.
   */
  private async publish(row: OutboxRow, shard: Shard, redelivery: boolean): Promise<void> {
    if (!this.consumers.has(row.topic)) {
      return;
    }
    const options = eventJobOptions(row.id);
    await this.options.queue.enqueue(OUTBOX_JOB, outboxJobData(row, shard.index), options);
    if (redelivery) {
      await this.options.queue.retryFailed(OUTBOX_JOB, options.jobId);
    }
  }

  /**
   * Queues the first delivery of the rows a pass took from `shard`: one job
   * for all of them (its id names the first and last event: a pass repeated
   * after a crash takes a different set), or the event's own job for one.
   */
  private async publishBatch(rows: readonly OutboxRow[], shard: Shard): Promise<void> {
    const heard = rows.filter((row) => this.consumers.has(row.topic));
    const [first] = heard;
    const last = heard[heard.length - 1];
    if (first === undefined || last === undefined) {
      return;
    }
    if (first === last) {
      await this.publish(first, shard, false);
      return;
    }
    await this.options.queue.enqueue(
      OUTBOX_JOB,
      { events: heard.map((row) => outboxJobData(row, shard.index)) },
      { jobId: `evts-${first.id}-${last.id}`, attempts: 3, backoffMs: 500 },
    );
  }

  private async prune(before: number): Promise<void> {
    await Promise.allSettled(
      this.options.shards.map((shard) =>
        shard.db.deleteFrom('outbox').where('consumed_at', '<', before).execute(),
      ),
    );
  }
}

/** The ids of the rows that pass `test`, and of those that do not. */
function partition(rows: readonly OutboxRow[], test: (row: OutboxRow) => boolean): [string[], string[]] {
  const passed: string[] = [];
  const failed: string[] = [];
  for (const row of rows) {
    (test(row) ? passed : failed).push(row.id);
  }
  return [passed, failed];
}
