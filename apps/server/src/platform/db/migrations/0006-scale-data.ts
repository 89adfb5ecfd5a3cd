import { sql, type Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Scale data: the customer's rating on a booking, the analytics roll-ups that
 * outbox events keep current (`booking_daily` on the booking's shard,
 * `driver_daily` on the driver's shard, `rollup_marks` so a redelivered event
 * counts once), bulk generation jobs and the marks that make each chunk land
 * exactly once per shard, and the indexes the admin lists page by.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);

  await db.schema.alterTable('bookings').addColumn('rating', 'smallint').execute();
  await db.schema.alterTable('bookings').addColumn('rated_at', 'bigint').execute();
  await db.schema.alterTable('bookings').addColumn('rating_comment', 'varchar(500)').execute();
  await db.schema
    .createIndex('users_status_id')
    .ifNotExists()
    .on('users')
    .columns(['status', 'id'])
    .execute();
  await db.schema.createIndex('offers_created').ifNotExists().on('offers').column('created_at').execute();

  if (dialect === 'mysql') {
    // Directory values are normalized (lower-case emails, upper-case plates): binary comparison is
    // exact and several times cheaper per key than a Unicode collation on every insert and lookup.
    await sql`alter table lookup_directory modify value varchar(254) character set utf8mb4 collate utf8mb4_bin not null`.execute(
      db,
    );
  }

  await options(
    db.schema
      .createTable('booking_daily')
      .ifNotExists()
      .addColumn('day', 'integer', (col) => col.notNull())
      .addColumn('vehicle_type', 'varchar(16)', (col) => col.notNull())
      .addColumn('created', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('delivered', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('cancelled', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('expired', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('trip_ms', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('trip_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('wait_ms', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('wait_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('revenue', 'bigint', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('booking_daily_pk', ['day', 'vehicle_type']),
  ).execute();

  await options(
    db.schema
      .createTable('driver_daily')
      .ifNotExists()
      .addColumn('day', 'integer', (col) => col.notNull())
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('trips', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('trip_ms', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_sum', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('earnings', 'bigint', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('driver_daily_pk', ['day', 'driver_id']),
  ).execute();

  await options(
    db.schema
      .createTable('rollup_marks')
      .ifNotExists()
      .addColumn('event_id', 'bigint', (col) => col.notNull())
      .addColumn('part', 'varchar(16)', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('rollup_marks_pk', ['event_id', 'part']),
  ).execute();

  await options(
    db.schema
      .createTable('generation_jobs')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('entity', 'varchar(16)', (col) => col.notNull())
      .addColumn('state', 'varchar(16)', (col) => col.notNull())
      .addColumn('total', 'bigint', (col) => col.notNull())
      .addColumn('done', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('chunk_size', 'integer', (col) => col.notNull())
      .addColumn('seed', 'bigint', (col) => col.notNull())
      .addColumn('index_base', 'bigint', (col) => col.notNull())
      .addColumn('params', dialect === 'mysql' ? sql`mediumtext` : 'text', (col) => col.notNull())
      .addColumn('error', 'varchar(500)')
      .addColumn('started_at', 'bigint', (col) => col.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();

  await options(
    db.schema
      .createTable('generation_marks')
      .ifNotExists()
      .addColumn('job_id', 'bigint', (col) => col.notNull())
      .addColumn('chunk', 'integer', (col) => col.notNull())
      .addColumn('part', 'varchar(16)', (col) => col.notNull())
      .addPrimaryKeyConstraint('generation_marks_pk', ['job_id', 'chunk', 'part']),
  ).execute();
}
