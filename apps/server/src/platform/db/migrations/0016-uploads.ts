import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Proof-of-delivery files (ADR 0025): `uploads`, what a driver uploaded for
 * which booking, on the shard its ID names (the driver's); and `blobs`, the
 * bytes, where the cluster's blob store keeps them (embedded mode keeps files
 * under DATA_DIR instead, and leaves the table empty).
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);
  await db.schema
    .createTable('uploads')
    .ifNotExists()
    .addColumn('id', 'bigint', (col) => col.primaryKey())
    .addColumn('owner_id', 'bigint', (col) => col.notNull())
    .addColumn('booking_id', 'bigint', (col) => col.notNull())
    .addColumn('content_type', 'varchar(32)', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .$call(options)
    .execute();
  await db.schema
    .createTable('blobs')
    .ifNotExists()
    .addColumn('id', 'bigint', (col) => col.primaryKey())
    .addColumn('content_type', 'varchar(64)', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('bytes', dialect === 'mysql' ? sql`mediumblob` : 'blob', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .$call(options)
    .execute();
}
