import type { Selectable, Updateable } from 'kysely';
import type { BookingStopsTable, StopStatusColumn } from '../../platform/db/schema';
import { executeLater } from '../../platform/db/pipelined-transactions';
import type { Executor } from '../../platform/db/shard-pool';

export type BookingStopRow = Selectable<BookingStopsTable>;

/** A stop's move, applied only if the stop is still in `expectedStatus` (optimistic, like a booking's). */
export interface StopChange {
  bookingId: string;
  seq: number;
  expectedStatus: StopStatusColumn;
  set: Updateable<BookingStopsTable>;
}

/** A booking's stops, on the booking's shard. Every method runs on the shard (or transaction) it is given. */
export class BookingStopsRepository {
  /** Travels with the transaction's next statement (ADR 0034). */
  async insertMany(db: Executor, rows: readonly BookingStopRow[]): Promise<void> {
    if (rows.length > 0) {
      await executeLater(db, db.insertInto('booking_stops').values([...rows]));
    }
  }

  /** The booking's stops in order; none for a booking made before stops were stored. */
  async forBooking(db: Executor, bookingId: string): Promise<BookingStopRow[]> {
    return db
      .selectFrom('booking_stops')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('seq')
      .execute();
  }

  /** The stops of several bookings of one shard, by booking, each in order. */
  async forBookings(db: Executor, bookingIds: readonly string[]): Promise<Map<string, BookingStopRow[]>> {
    const byBooking = new Map<string, BookingStopRow[]>();
    if (bookingIds.length === 0) {
      return byBooking;
    }
    const rows = await db
      .selectFrom('booking_stops')
      .selectAll()
      .where('booking_id', 'in', [...bookingIds])
      .orderBy('booking_id')
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      byBooking.set(row.booking_id, [...(byBooking.get(row.booking_id) ?? []), row]);
    }
    return byBooking;
  }

  /** Applies a stop's move if nobody moved the stop since it was read; true when applied. */
  async applyChange(db: Executor, change: StopChange): Promise<boolean> {
    const result = await db
      .updateTable('booking_stops')
      .set(change.set)
      .where('booking_id', '=', change.bookingId)
      .where('seq', '=', change.seq)
      .where('status', '=', change.expectedStatus)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
