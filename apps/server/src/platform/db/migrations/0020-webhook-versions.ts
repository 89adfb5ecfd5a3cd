import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * The version of each customer's set of webhook endpoints (ADR 0038): every
 * change to which endpoints are active, and for which events, adds one, in
 * the change's transaction, so a cached copy of the set can be fenced and
 * checked like the booking read cache (ADR 0030). On the customer's shard.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('webhook_versions')
      .ifNotExists()
      .addColumn('customer_id', 'bigint', (col) => col.primaryKey())
      .addColumn('version', 'bigint', (col) => col.notNull()),
  ).execute();
}
