import { sql, type Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Online shard moves (ADR 0024). On shard 0, the catalog: the shard map's
 * version, each process's acknowledged version, and the resumable state of
 * every move. On every shard, the change log the capture triggers write while
 * one of its ranges is being copied away.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);
  await db.schema
    .createTable('shard_map_state')
    .ifNotExists()
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .$call(options)
    .execute();
  await db.schema
    .createTable('shard_map_acks')
    .ifNotExists()
    .addColumn('instance_id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('seen_at', 'bigint', (col) => col.notNull())
    .$call(options)
    .execute();
  await db.schema
    .createTable('shard_moves')
    .ifNotExists()
    .addColumn('id', 'bigint', (col) => col.primaryKey())
    .addColumn('from_logical', 'integer', (col) => col.notNull())
    .addColumn('to_logical', 'integer', (col) => col.notNull())
    .addColumn('source_shard', 'integer', (col) => col.notNull())
    .addColumn('target_shard', 'integer', (col) => col.notNull())
    .addColumn('phase', 'varchar(16)', (col) => col.notNull())
    .addColumn('cursors', 'text', (col) => col.notNull())
    .addColumn('copied_rows', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('applied_changes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('map_version', 'integer')
    .addColumn('error', 'text')
    .addColumn('started_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('finished_at', 'bigint')
    .$call(options)
    .execute();
  await db.schema
    .createTable('shard_move_changes')
    .ifNotExists()
    .addColumn('id', dialect === 'mysql' ? 'bigint' : 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('move_id', 'bigint', (col) => col.notNull())
    .addColumn('table_name', 'varchar(64)', (col) => col.notNull())
    .addColumn('pk', 'text', (col) => col.notNull())
    .$call(options)
    .execute();
  // A driver's counted part lives on the driver's shard: `owner_id` names the driver, so a move can place it.
  await db.schema.alterTable('rollup_parts').addColumn('owner_id', 'bigint').execute();
  await sql`update rollup_parts set owner_id = (select driver_id from driver_jobs where driver_jobs.booking_id = rollup_parts.booking_id limit 1) where part in ('trip', 'rating')`.execute(
    db,
  );
  await sql`insert into shard_map_state (id, version, updated_at) select 1, 1, 0 where not exists (select 1 from shard_map_state where id = 1)`.execute(
    db,
  );
}
