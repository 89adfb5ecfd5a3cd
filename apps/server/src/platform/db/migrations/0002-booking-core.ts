import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/** Quotes, bookings and their events, offers, driver job history, idempotency keys; the driver claim. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const options = tableOptions(dialect);

  await db.schema.alterTable('drivers').addColumn('active_booking_id', 'bigint').execute();
  await db.schema
    .alterTable('drivers')
    .addColumn('rating_sum', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('drivers')
    .addColumn('rating_count', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('drivers_online')
    .ifNotExists()
    .on('drivers')
    .columns(['online', 'user_id'])
    .execute();

  await options(
    db.schema
      .createTable('quotes')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('vehicle_type', 'varchar(16)', (col) => col.notNull())
      .addColumn('pickup_lat', 'double precision', (col) => col.notNull())
      .addColumn('pickup_lng', 'double precision', (col) => col.notNull())
      .addColumn('pickup_address', 'varchar(300)')
      .addColumn('dropoff_lat', 'double precision', (col) => col.notNull())
      .addColumn('dropoff_lng', 'double precision', (col) => col.notNull())
      .addColumn('dropoff_address', 'varchar(300)')
      .addColumn('distance_km', 'double precision', (col) => col.notNull())
      .addColumn('duration_minutes', 'double precision', (col) => col.notNull())
      .addColumn('price_amount', 'bigint', (col) => col.notNull())
      .addColumn('currency', 'varchar(3)', (col) => col.notNull())
      .addColumn('surge_multiplier', 'double precision', (col) => col.notNull())
      .addColumn('breakdown', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema.createIndex('quotes_expires').ifNotExists().on('quotes').column('expires_at').execute();

  await options(
    db.schema
      .createTable('bookings')
      .ifNotExists()
      .addColumn('id', 'bigint', (col) => col.primaryKey())
      .addColumn('customer_id', 'bigint', (col) => col.notNull())
      .addColumn('driver_id', 'bigint')
      .addColumn('status', 'varchar(24)', (col) => col.notNull())
      .addColumn('vehicle_type', 'varchar(16)', (col) => col.notNull())
      .addColumn('pickup_lat', 'double precision', (col) => col.notNull())
      .addColumn('pickup_lng', 'double precision', (col) => col.notNull())
      .addColumn('pickup_address', 'varchar(300)')
      .addColumn('dropoff_lat', 'double precision', (col) => col.notNull())
      .addColumn('dropoff_lng', 'double precision', (col) => col.notNull())
      .addColumn('dropoff_address', 'varchar(300)')
      .addColumn('goods_description', 'varchar(500)')
      .addColumn('goods_weight_kg', 'double precision')
      .addColumn('price_amount', 'bigint', (col) => col.notNull())
      .addColumn('currency', 'varchar(3)', (col) => col.notNull())
      .addColumn('distance_km', 'double precision', (col) => col.notNull())
      .addColumn('duration_minutes', 'double precision', (col) => col.notNull())
      .addColumn('surge_multiplier', 'double precision', (col) => col.notNull())
      .addColumn('quote_id', 'bigint')
      .addColumn('scheduled_at', 'bigint')
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('offer_wave', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('offered_to', 'text', (col) => col.notNull())
      .addColumn('search_started_at', 'bigint')
      .addColumn('assigned_at', 'bigint')
      .addColumn('picked_up_at', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .addColumn('cancelled_at', 'bigint')
      .addColumn('cancel_reason', 'varchar(500)')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull()),
  ).execute();
  await db.schema
    .createIndex('bookings_customer')
    .ifNotExists()
    .on('bookings')
    .columns(['customer_id', 'id'])
    .execute();
  await db.schema
    .createIndex('bookings_status')
    .ifNotExists()
    .on('bookings')
    .columns(['status', 'id'])
    .execute();
  await db.schema
    .createIndex('bookings_due')
    .ifNotExists()
    .on('bookings')
    .columns(['status', 'scheduled_at'])
    .execute();

  await options(
    db.schema
      .createTable('booking_events')
      .ifNotExists()
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('status', 'varchar(24)', (col) => col.notNull())
      .addColumn('actor_role', 'varchar(16)', (col) => col.notNull())
      .addColumn('actor_id', 'bigint')
      .addColumn('at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('booking_events_pk', ['booking_id', 'seq']),
  ).execute();

  await options(
    db.schema
      .createTable('offers')
      .ifNotExists()
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('wave', 'integer', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addColumn('responded_at', 'bigint')
      .addPrimaryKeyConstraint('offers_pk', ['driver_id', 'booking_id']),
  ).execute();
  await db.schema
    .createIndex('offers_pending')
    .ifNotExists()
    .on('offers')
    .columns(['driver_id', 'status', 'expires_at'])
    .execute();

  await options(
    db.schema
      .createTable('driver_jobs')
      .ifNotExists()
      .addColumn('driver_id', 'bigint', (col) => col.notNull())
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('status', 'varchar(24)', (col) => col.notNull())
      .addColumn('vehicle_type', 'varchar(16)', (col) => col.notNull())
      .addColumn('route', 'text', (col) => col.notNull())
      .addColumn('price_amount', 'bigint', (col) => col.notNull())
      .addColumn('currency', 'varchar(3)', (col) => col.notNull())
      .addColumn('distance_km', 'double precision', (col) => col.notNull())
      .addColumn('assigned_at', 'bigint', (col) => col.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('driver_jobs_pk', ['driver_id', 'booking_id']),
  ).execute();

  await options(
    db.schema
      .createTable('idempotency_keys')
      .ifNotExists()
      .addColumn('user_id', 'bigint', (col) => col.notNull())
      .addColumn('idem_key', 'varchar(128)', (col) => col.notNull())
      .addColumn('request_hash', 'varchar(64)', (col) => col.notNull())
      .addColumn('status_code', 'integer', (col) => col.notNull())
      .addColumn('response', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'idem_key']),
  ).execute();
  await db.schema
    .createIndex('idempotency_keys_created')
    .ifNotExists()
    .on('idempotency_keys')
    .column('created_at')
    .execute();
}
