import { sql, type Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Share links (ADR 0022) on their booking's shard: the SHA-256 of the token
 * (base64url, compared byte for byte on MySQL), the booking and its customer,
 * when it was made, the latest it lives (7 days) and when it was revoked.
 * By booking, for a customer's revocations and the booking's links.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const hashType =
    dialect === 'mysql' ? sql`varchar(64) character set ascii collate ascii_bin` : sql`varchar(64)`;
  await tableOptions(dialect)(
    db.schema
      .createTable('share_links')
      .ifNotExists()
      .addColumn('token_hash', hashType, (col) => col.notNull().primaryKey())
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addColumn('revoked_at', 'bigint'),
  ).execute();
  await db.schema
    .createIndex('share_links_booking')
    .ifNotExists()
    .on('share_links')
    .column('booking_id')
    .execute();
}
