import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Unfilled demand in the analytics roll-ups (ADR 0041): the bookings that
 * expired, by the UTC day and hour they were made (`unfilled_hourly`) and by
 * the day they were made and their pickup's area (`unfilled_areas`, with one
 * pickup address typed there), on the booking's shard. Each expired booking is
 * claimed in `rollup_parts` as `unfilled`. Expiries before this migration are
 * counted by `loadline analytics rebuild`.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);
  await options(
    db.schema
      .createTable('unfilled_hourly')
      .ifNotExists()
      .addColumn('day', 'integer', (col) => col.notNull())
      .addColumn('hour', 'smallint', (col) => col.notNull())
      .addColumn('expired', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('unfilled_hourly_pk', ['day', 'hour']),
  ).execute();
  await options(
    db.schema
      .createTable('unfilled_areas')
      .ifNotExists()
      .addColumn('day', 'integer', (col) => col.notNull())
      .addColumn('cell_lat', 'integer', (col) => col.notNull())
      .addColumn('cell_lng', 'integer', (col) => col.notNull())
      .addColumn('expired', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('address', 'varchar(300)')
      .addPrimaryKeyConstraint('unfilled_areas_pk', ['day', 'cell_lat', 'cell_lng']),
  ).execute();
}
