import { sql, type Selectable } from 'kysely';
import type { BookingPinsTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type BookingPinRow = Selectable<BookingPinsTable>;

/** A booking's handover PINs, on the booking's shard. Every method runs on the shard (or transaction) it is given. */
export class HandoverPinsRepository {
  /** The PINs of the booking's current assignment, pickup first; none before one or after a release. */
  async forBooking(db: Executor, bookingId: string): Promise<BookingPinRow[]> {
    return db
      .selectFrom('booking_pins')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('handover')
      .execute();
  }

  async find(db: Executor, bookingId: string, handover: number): Promise<BookingPinRow | undefined> {
    return db
      .selectFrom('booking_pins')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .where('handover', '=', handover)
      .executeTakeFirst();
  }

  /** Replaces the booking's PINs with `rows` (an assignment's fresh ones). */
  async replace(db: Executor, bookingId: string, rows: readonly BookingPinRow[]): Promise<void> {
    await this.remove(db, bookingId);
    if (rows.length > 0) {
      await db
        .insertInto('booking_pins')
        .values([...rows])
        .execute();
    }
  }

  async remove(db: Executor, bookingId: string): Promise<void> {
    await db.deleteFrom('booking_pins').where('booking_id', '=', bookingId).execute();
  }

  /**
   * Counts a wrong try of an unlocked handover, locking it at the `lockAt`th
   * (an increment, so wrong tries at once all count); the tries after it.
   */
  async addWrongTry(
    db: Executor,
    bookingId: string,
    handover: number,
    lockAt: number,
    now: number,
  ): Promise<number> {
    // locked_at first: MySQL assigns left to right and would see the new count there; both read the old one so.
    await db
      .updateTable('booking_pins')
      .set({
        locked_at: sql<number | null>`case when failures + 1 >= ${lockAt} then ${now} else null end`,
        failures: sql<number>`failures + 1`,
      })
      .where('booking_id', '=', bookingId)
      .where('handover', '=', handover)
      .where('locked_at', 'is', null)
      .execute();
    const row = await this.find(db, bookingId, handover);
    return row?.failures ?? lockAt;
  }

  /** Clears the wrong tries of the locked handovers among `handovers`. */
  async unlock(db: Executor, bookingId: string, handovers: readonly number[]): Promise<void> {
    if (handovers.length > 0) {
      await db
        .updateTable('booking_pins')
        .set({ failures: 0, locked_at: null })
        .where('booking_id', '=', bookingId)
        .where('handover', 'in', [...handovers])
        .where('locked_at', 'is not', null)
        .execute();
    }
  }
}
