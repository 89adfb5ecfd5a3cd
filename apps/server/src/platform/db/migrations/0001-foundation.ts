import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/** Users, drivers, vehicles, the lookup directory, the outbox and the shard map. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);

  await options(
    db.schema
      .createTable('shard_ranges')
      .ifNotExists()
      .addColumn('from_logical', 'integer', (col) => col.primaryKey())
      .addColumn('to_logical', 'integer', (col) => col.notNull())
      .addColumn('shard_index', 'integer', (col) => col.notNull()),
  ).execute();

  await options(
    db.schema
      .createTable('lookup_directory')
      .ifNotExists()
      .addColumn('kind', 'varchar(16)', (col) => col.notNull())
      .addColumn('value', 'varchar(254)', (col) => col.notNull())
      .addColumn('owner_id', 'bigint', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('lookup_directory_pk', ['kind', 'value']),
  ).execute();

  await options(
    db.schema
      .createTable('users')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('email', 'varchar(254)', (col) => col.notNull())
      .addColumn('password_hash', 'varchar(255)', (col) => col.notNull())
      .addColumn('name', 'varchar(120)', (col) => col.notNull())
      .addColumn('phone', 'varchar(32)')
      .addColumn('role', 'varchar(16)', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull().defaultTo('active'))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('users_role_id').ifNotExists().on('users').columns(['role', 'id']).execute();

  await options(
    db.schema
      .createTable('vehicles')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('type', 'varchar(16)', (col) => col.notNull())
      .addColumn('plate', 'varchar(32)', (col) => col.notNull())
      .addColumn('capacity_kg', 'integer', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('vehicles_driver').ifNotExists().on('vehicles').column('driver_id').execute();

  await options(
    db.schema
      .createTable('drivers')
      .ifNotExists()
      .addColumn('user_id', 'bigint', (col) => col.primaryKey())
      .addColumn('vehicle_id', 'bigint', (col) => col.notNull())
      .addColumn('online', 'smallint', (col) => col.notNull().defaultTo(0))
      .addColumn('suspended', 'smallint', (col) => col.notNull().defaultTo(0))
      .addColumn('last_lat', 'double precision')
      .addColumn('last_lng', 'double precision')
      .addColumn('last_heading', 'double precision')
      .addColumn('last_seen_at', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();

  await options(
    db.schema
      .createTable('outbox')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('topic', 'varchar(64)', (col) => col.notNull())
      .addColumn('aggregate_id', 'bigint', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('published_at', 'bigint'),
  ).execute();
  await db.schema
    .createIndex('outbox_pending')
    .ifNotExists()
    .on('outbox')
    .columns(['published_at', 'id'])
    .execute();
}
