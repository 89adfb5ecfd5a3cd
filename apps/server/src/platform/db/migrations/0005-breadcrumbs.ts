import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/** The path a driver took on a job, on the booking's shard. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('breadcrumbs')
      .ifNotExists()
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('at', 'bigint', (col) => col.notNull())
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('lat', 'double precision', (col) => col.notNull())
      .addColumn('lng', 'double precision', (col) => col.notNull())
      .addColumn('heading', 'double precision')
      .addColumn('speed_kmh', 'double precision')
      .addPrimaryKeyConstraint('breadcrumbs_pk', ['booking_id', 'at']),
  ).execute();
}
