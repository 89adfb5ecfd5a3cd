import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * A driver's trip history names each booking by its reference (ADR 0020):
 * `driver_jobs.booking_ref`, copied from the booking when the trip row is
 * written. Rows written before this show the fallback derived from the ID.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('driver_jobs').addColumn('booking_ref', 'varchar(16)').execute();
}
