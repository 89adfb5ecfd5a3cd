import type { Selectable } from 'kysely';
import type { BreadcrumbsTable } from '../../platform/db/schema';
import type { SqlDialectName } from '../../platform/db/shard-pool';
import type { Executor } from '../../platform/db/shard-pool';

export type BreadcrumbRow = Selectable<BreadcrumbsTable>;

/** Rows per statement: well under every driver's placeholder limit (7 values a row). */
const CHUNK = 500;

/** Drivers' paths during trips, on the booking's shard. */
export class BreadcrumbsRepository {
  /** Multi-row insert; a point already stored (same booking and time) is skipped. */
  async insertMany(db: Executor, dialect: SqlDialectName, rows: readonly BreadcrumbRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      const insert = db.insertInto('breadcrumbs').values(chunk);
      await (dialect === 'mysql' ? insert.ignore() : insert.orIgnore()).execute();
    }
  }

  async forBooking(db: Executor, bookingId: string): Promise<BreadcrumbRow[]> {
    return db
      .selectFrom('breadcrumbs')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('at')
      .execute();
  }
}
