import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * `driver_jobs.seq`: the booking event last applied to the row. Events reach
 * the consumer at least once and maybe out of order; comparing seqs keeps a
 * row from moving backwards. Plus the index the driver's job list pages by.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .alterTable('driver_jobs')
    .addColumn('seq', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('driver_jobs_driver_assigned')
    .ifNotExists()
    .on('driver_jobs')
    .columns(['driver_id', 'assigned_at', 'booking_id'])
    .execute();
}
