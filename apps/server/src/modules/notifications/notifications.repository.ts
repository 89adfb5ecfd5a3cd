import type { Selectable } from 'kysely';
import { isUniqueViolation } from '../../platform/db/db-errors';
import type { NotificationsTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type NotificationRow = Selectable<NotificationsTable>;

/** Notifications, on the shard of the user they are for. Every method runs on the shard it is given. */
export class NotificationsRepository {
  /**
   * Inserts unless the user already has a row with this `source_key`; true when
   * this call inserted it. The unique index decides, so concurrent deliveries
   * of one event agree on a single winner.
   */
  async insertOnce(db: Executor, row: NotificationRow): Promise<boolean> {
    try {
      await db.insertInto('notifications').values(row).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  /** The user's notifications before the keyset `beforeId` (or from the newest), newest first. */
  async listForUser(
    db: Executor,
    userId: string,
    options: { beforeId: string | null; unreadOnly: boolean; limit: number },
  ): Promise<NotificationRow[]> {
    let query = db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.beforeId !== null) {
      query = query.where('id', '<', options.beforeId);
    }
    if (options.unreadOnly) {
      query = query.where('read_at', 'is', null);
    }
    return query.execute();
  }

  async find(db: Executor, userId: string, id: string): Promise<NotificationRow | undefined> {
    return db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Marks one unread notification of the user read; false when there is none (unknown, another's, or already read). */
  async markRead(db: Executor, userId: string, id: string, now: number): Promise<boolean> {
    const result = await db
      .updateTable('notifications')
      .set({ read_at: now })
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks every unread notification of the user read; returns how many changed. */
  async markAllRead(db: Executor, userId: string, now: number): Promise<number> {
    const result = await db
      .updateTable('notifications')
      .set({ read_at: now })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
