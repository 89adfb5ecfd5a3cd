import { sql, type Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Sessions on their user's shard (ADR 0017): the SHA-256 of the token (base64url,
 * compared byte for byte on MySQL), the user, role and expiry; by user for
 * "revoke all", by expiry for the cleanup.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const hashType =
    dialect === 'mysql' ? sql`varchar(64) character set ascii collate ascii_bin` : sql`varchar(64)`;
  await tableOptions(dialect)(
    db.schema
      .createTable('sessions')
      .ifNotExists()
      .addColumn('token_hash', hashType, (col) => col.notNull().primaryKey())
      .addColumn('user_id', 'bigint', (col) => col.notNull())
      .addColumn('role', 'varchar(16)', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('sessions_user_id').ifNotExists().on('sessions').column('user_id').execute();
  await db.schema
    .createIndex('sessions_expires_at')
    .ifNotExists()
    .on('sessions')
    .column('expires_at')
    .execute();
}
