import type { Selectable } from 'kysely';
import type { QuotesTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type QuoteRow = Selectable<QuotesTable>;

/** Stored quotes, on their customer's shard. Every method runs on the shard (or transaction) it is given. */
export class QuotesRepository {
  async insert(db: Executor, row: QuoteRow): Promise<void> {
    await db.insertInto('quotes').values(row).execute();
  }

  async findById(db: Executor, id: string): Promise<QuoteRow | undefined> {
    return db.selectFrom('quotes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Deletes quotes that expired before `cutoff` (epoch ms); returns how many went. */
  async deleteExpiredBefore(db: Executor, cutoff: number): Promise<number> {
    const result = await db.deleteFrom('quotes').where('expires_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
