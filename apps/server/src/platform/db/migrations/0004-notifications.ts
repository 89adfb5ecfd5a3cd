import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * `notifications`, on the shard of the user they are for. `source_key` names
 * what produced a row (`<eventId>:<userId>`); its unique index with the user is
 * what makes a redelivered event create nothing new. `(user_id, id)` serves the
 * newest-first list.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);

  await options(
    db.schema
      .createTable('notifications')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('user_id', 'bigint', (col) => col.notNull())
      .addColumn('type', 'varchar(40)', (col) => col.notNull())
      .addColumn('title', 'varchar(120)', (col) => col.notNull())
      .addColumn('body', 'varchar(500)', (col) => col.notNull())
      .addColumn('booking_id', 'bigint')
      .addColumn('source_key', 'varchar(80)', (col) => col.notNull())
      .addColumn('read_at', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema
    .createIndex('notifications_source')
    .ifNotExists()
    .unique()
    .on('notifications')
    .columns(['user_id', 'source_key'])
    .execute();
  await db.schema
    .createIndex('notifications_user')
    .ifNotExists()
    .on('notifications')
    .columns(['user_id', 'id'])
    .execute();
}
