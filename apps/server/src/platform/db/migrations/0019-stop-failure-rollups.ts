import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Failed stops in the analytics roll-ups (ADR 0012, ADR 0027):
 * `stop_failure_daily` counts a driver's failed stops per UTC day and reason,
 * on the driver's shard like `driver_daily`, so the drivers with the most
 * failures merge exactly across shards and the reasons add up from a few rows
 * per day. Each failed stop is claimed in `rollup_parts` as `failed:<seq>`.
 * Failures before this migration are counted by `loadline analytics rebuild`.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('stop_failure_daily')
      .ifNotExists()
      .addColumn('day', 'integer', (col) => col.notNull())
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('reason', 'varchar(32)', (col) => col.notNull())
      .addColumn('failed', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('stop_failure_daily_pk', ['day', 'driver_id', 'reason']),
  ).execute();
}
