import { sql, type Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Drivers' figures per week beside the days (ADR 0042): `driver_weekly` holds
 * the same counters as `driver_daily`, summed over Monday-to-Sunday UTC weeks
 * (`week = floor((day + 3) / 7)`: day 0, 1970-01-01, was a Thursday), on the
 * driver's shard, added in the same statements as the days. The top drivers
 * of a range read its whole weeks here and only the days at its edges.
 * Filled from `driver_daily` here; rerunning it refills it.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('driver_weekly')
      .ifNotExists()
      .addColumn('week', 'integer', (col) => col.notNull())
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('trips', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('trip_ms', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_sum', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('earnings', 'bigint', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('driver_weekly_pk', ['week', 'driver_id']),
  ).execute();
  // MySQL's `div` is integer division; SQLite's `/` on integers already is.
  const week = dialect === 'mysql' ? sql`(day + 3) div 7` : sql`(day + 3) / 7`;
  await sql`delete from driver_weekly`.execute(db);
  await sql`insert into driver_weekly (week, driver_id, trips, trip_ms, rating_sum, rating_count, earnings)
    select ${week}, driver_id, sum(trips), sum(trip_ms), sum(rating_sum), sum(rating_count), sum(earnings)
    from driver_daily group by ${week}, driver_id`.execute(db);
}
