import { Type } from '@sinclair/typebox';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { Id } from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import type {
  BookingEventsTable,
  BookingStatusColumn,
  BookingsTable,
  IdempotencyKeysTable,
} from '../../platform/db/schema';
import { executeLater } from '../../platform/db/pipelined-transactions';
import { selectWithIndex, type HintTarget } from '../../platform/db/index-hints';
import type { Executor } from '../../platform/db/shard-pool';

/** `bookings.offered_to`: every driver offered the booking so far, in the order offered. */
export const OFFERED_TO = new StoredJson('bookings.offered_to', Type.Array(Id));

export type BookingRow = Selectable<BookingsTable>;
export type BookingEventRow = Selectable<BookingEventsTable>;
export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export interface StatusChange {
  id: string;
  /** The booking must still be in this status and at this seq: optimistic concurrency. */
  expectedStatus: BookingStatusColumn;
  expectedSeq: number;
  set: Updateable<BookingsTable>;
  /** Extra condition: the booking has no driver yet (acceptance). */
  requireNoDriver?: boolean;
  /** Extra condition: the booking is held by this driver. */
  requireDriver?: string;
}

/** A page of one shard's bookings, newest first, before `beforeId`, with the filters given. */
export interface BookingPageQuery {
  status?: BookingStatusColumn | undefined;
  customerId?: string | undefined;
  driverId?: string | undefined;
  beforeId: string | null;
  limit: number;
}

/** Bookings, their events and idempotency keys, on the customer's shard. */
export class BookingsRepository {
  /** Inside a transaction the row travels with its next statement (ADR 0034): a duplicate surfaces there. */
  async insert(db: Executor, row: Insertable<BookingsTable>): Promise<void> {
    await executeLater(db, db.insertInto('bookings').values(row));
  }

  async findById(db: Executor, id: string): Promise<BookingRow | undefined> {
    return db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Applies a status change only if nothing changed since the caller read the
   * booking; true when applied. This conditional update is what makes
   * acceptance, cancellation and status moves race-safe.
   */
  async applyChange(db: Executor, change: StatusChange): Promise<boolean> {
    let query = db
      .updateTable('bookings')
      .set(change.set)
      .where('id', '=', change.id)
      .where('status', '=', change.expectedStatus)
      .where('seq', '=', change.expectedSeq);
    if (change.requireNoDriver === true) {
      query = query.where('driver_id', 'is', null);
    }
    if (change.requireDriver !== undefined) {
      query = query.where('driver_id', '=', change.requireDriver);
    }
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Stores the customer's rating of a delivered booking, once; true when this call stored it. */
  async setRating(
    db: Executor,
    id: string,
    given: { rating: number; comment: string | null },
    now: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('bookings')
      .set({ rating: given.rating, rating_comment: given.comment, rated_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'delivered')
      .where('rating', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Records a dispatch wave and when the next step is due, if no other worker
   * recorded the wave first; true when this call did.
   */
  async recordWave(
    db: Executor,
    id: string,
    wave: number,
    offeredTo: readonly string[],
    nextStepAt: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('bookings')
      .set({ offer_wave: wave, offered_to: OFFERED_TO.write([...offeredTo]), next_step_at: nextStepAt })
      .where('id', '=', id)
      .where('status', '=', 'searching')
      .where('offer_wave', '=', wave - 1)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Travels with the transaction's next statement (ADR 0034). */
  async insertEvent(db: Executor, row: BookingEventRow): Promise<void> {
    await executeLater(db, db.insertInto('booking_events').values(row));
  }

  async events(db: Executor, bookingId: string): Promise<BookingEventRow[]> {
    return db
      .selectFrom('booking_events')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('seq')
      .execute();
  }

  /**
   * A page of one shard's bookings, newest first (a customer's own list, the
   * admin list). Each page reads one range of the index its narrowest filter
   * names, named on MariaDB (ADR 0039): a customer's (`bookings_customer`) or
   * a driver's (`bookings_driver`) bookings are few next to a status's, so a
   * status beside them is checked row by row.
   */
  async listPage(shard: HintTarget, options: BookingPageQuery): Promise<BookingRow[]> {
    let query = shard.db.selectFrom('bookings').selectAll().orderBy('id', 'desc').limit(options.limit);
    if (options.customerId !== undefined) {
      query = query.where('customer_id', '=', options.customerId);
    }
    if (options.driverId !== undefined) {
      query = query.where('driver_id', '=', options.driverId);
    }
    if (options.status !== undefined) {
      query = query.where('status', '=', options.status);
    }
    if (options.beforeId !== null) {
      query = query.where('id', '<', options.beforeId);
    }
    const index =
      options.customerId !== undefined
        ? 'bookings_customer'
        : options.driverId !== undefined
          ? 'bookings_driver'
          : options.status !== undefined
            ? 'bookings_status'
            : null;
    return index === null ? query.execute() : selectWithIndex(shard, query, 'bookings', index);
  }

  /** The booking with this reference on this shard (index `bookings_ref`). */
  async findByRef(db: Executor, ref: string): Promise<BookingRow | undefined> {
    return db.selectFrom('bookings').selectAll().where('ref', '=', ref).executeTakeFirst();
  }

  /** Scheduled bookings whose search should have started by `dueBefore` (for the sweeper). */
  async dueScheduled(db: Executor, dueBefore: number, limit: number): Promise<BookingRow[]> {
    return dueBy(db, 'scheduled', 'scheduled_at', dueBefore, limit);
  }

  /**
   * Searching bookings whose next dispatch step was due by `dueBefore`, most
   * overdue first (index `bookings_next_step`), for the sweep.
   */
  async overdueSearches(db: Executor, dueBefore: number, limit: number): Promise<BookingRow[]> {
    return dueBy(db, 'searching', 'next_step_at', dueBefore, limit);
  }

  /**
   * Takes an overdue step for one sweeper: moves `next_step_at` from the value
   * it read to `retryAt`, so that other sweepers pass it by and, should the
   * step fail, it is due again then; true when this call took it.
   */
  async claimNextStep(db: Executor, id: string, seen: number, retryAt: number): Promise<boolean> {
    const result = await db
      .updateTable('bookings')
      .set({ next_step_at: retryAt })
      .where('id', '=', id)
      .where('status', '=', 'searching')
      .where('next_step_at', '=', seen)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Travels with the transaction's next statement (ADR 0034): a key taken meanwhile surfaces there. */
  async insertIdempotencyKey(db: Executor, row: IdempotencyRow): Promise<void> {
    await executeLater(db, db.insertInto('idempotency_keys').values(row));
  }

  async findIdempotencyKey(db: Executor, userId: string, key: string): Promise<IdempotencyRow | undefined> {
    return db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('idem_key', '=', key)
      .executeTakeFirst();
  }

  async deleteIdempotencyKey(db: Executor, userId: string, key: string): Promise<void> {
    await db
      .deleteFrom('idempotency_keys')
      .where('user_id', '=', userId)
      .where('idem_key', '=', key)
      .execute();
  }

  async purgeIdempotencyKeys(db: Executor, olderThan: number): Promise<void> {
    await db.deleteFrom('idempotency_keys').where('created_at', '<', olderThan).execute();
  }
}

/** Bookings in `status` whose time in `column` came by `dueBefore`, earliest first: an index range read. */
function dueBy(
  db: Executor,
  status: BookingStatusColumn,
  column: 'scheduled_at' | 'next_step_at',
  dueBefore: number,
  limit: number,
): Promise<BookingRow[]> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('status', '=', status)
    .where(column, '<=', dueBefore)
    .orderBy(column)
    .limit(limit)
    .execute();
}
