import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Integrations (issue #17, ADR 0023), all on the customer's shard:
 * - `api_keys`: a customer's keys under the SHA-256 of the key (the key itself
 *   is never stored), its visible prefix, scopes (JSON) and revocation time;
 *   the key is found from its hash through `lookup_directory` (kind `api_key`,
 *   placed by the hash like an email).
 * - `webhook_endpoints`: the URL, subscribed event types (JSON), the signing
 *   secret (encrypted when WEBHOOK_SECRET_KEY is set), and since when it fails.
 * - `webhook_deliveries`: one row per endpoint and event (unique, so a
 *   redelivered event adds nothing), with its body as first built, status,
 *   attempts, the last answer's code and excerpt, and when the next try is due;
 *   the sender sweeps `(status, next_attempt_at)` and keeps each booking's
 *   deliveries in `seq` order through `(endpoint_id, booking_id, seq)`.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);

  await options(
    db.schema
      .createTable('api_keys')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('name', 'varchar(80)', (col) => col.notNull())
      .addColumn('scopes', 'varchar(200)', (col) => col.notNull())
      .addColumn('prefix', 'varchar(16)', (col) => col.notNull())
      .addColumn('key_hash', 'varchar(64)', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('revoked_at', 'bigint'),
  ).execute();
  await db.schema
    .createIndex('api_keys_customer')
    .ifNotExists()
    .on('api_keys')
    .columns(['customer_id', 'id'])
    .execute();

  await options(
    db.schema
      .createTable('webhook_endpoints')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('url', 'varchar(2000)', (col) => col.notNull())
      .addColumn('events', 'varchar(300)', (col) => col.notNull())
      .addColumn('secret', 'varchar(200)', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('failing_since', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema
    .createIndex('webhook_endpoints_customer')
    .ifNotExists()
    .on('webhook_endpoints')
    .columns(['customer_id', 'id'])
    .execute();

  await options(
    db.schema
      .createTable('webhook_deliveries')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('endpoint_id', 'bigint', (col) => col.notNull())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('event_id', 'bigint', (col) => col.notNull())
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('type', 'varchar(40)', (col) => col.notNull())
      .addColumn('body', 'text', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'varchar(256)')
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('lease_until', 'bigint')
      .addColumn('retry_from', 'bigint', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema
    .createIndex('webhook_deliveries_event')
    .ifNotExists()
    .unique()
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .ifNotExists()
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order')
    .ifNotExists()
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'booking_id', 'seq'])
    .execute();
}
