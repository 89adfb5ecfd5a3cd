import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * Booking references (ADR 0020): `bookings.ref`, the short code people read
 * (`LL-7K2Q9MX`), minted when a booking is made and unique on its shard; the
 * code carries the booking's logical shard, so unique on each shard is unique
 * everywhere. Rows made before this keep a null ref and are shown a code
 * derived from their ID. Also `(driver_id, id)`, so the admin list filtered by
 * driver reads an index range instead of every booking.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('bookings').addColumn('ref', 'varchar(16)').execute();
  // Unique over non-null values in both dialects: the older rows' nulls do not collide.
  await db.schema.createIndex('bookings_ref').ifNotExists().unique().on('bookings').column('ref').execute();
  await db.schema
    .createIndex('bookings_driver')
    .ifNotExists()
    .on('bookings')
    .columns(['driver_id', 'id'])
    .execute();
}
