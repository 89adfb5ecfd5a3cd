import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Multi-stop bookings (ADR 0027). `booking_stops`: a booking's drop-offs in
 * order, on the booking's shard (keyed by booking and seq, so a booking reads
 * its stops with one range read and never joins across shards), with each
 * stop's progress, proof and failure. Bookings made before this have no rows
 * and are shown one stop made from their drop-off. `quotes.stops`: a quote's
 * stops as JSON (null for a one-drop-off quote). `booking_events.type` and
 * `stop_seq`: a stop's event among the booking's (null type: a status change).
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('booking_stops')
      .ifNotExists()
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('lat', 'double precision', (col) => col.notNull())
      .addColumn('lng', 'double precision', (col) => col.notNull())
      .addColumn('address', 'varchar(300)')
      .addColumn('recipient_name', 'varchar(200)')
      .addColumn('recipient_phone', 'varchar(32)')
      .addColumn('goods_description', 'varchar(500)')
      .addColumn('goods_weight_kg', 'double precision')
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('arrived_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .addColumn('proof_recipient_name', 'varchar(200)')
      .addColumn('proof_photo_id', 'bigint')
      .addColumn('proof_signature_id', 'bigint')
      .addColumn('proof_lat', 'double precision')
      .addColumn('proof_lng', 'double precision')
      .addColumn('failure_reason', 'varchar(32)')
      .addColumn('failure_note', 'varchar(1000)')
      .addColumn('failure_photo_id', 'bigint')
      .addPrimaryKeyConstraint('booking_stops_pk', ['booking_id', 'seq']),
  ).execute();
  await db.schema.alterTable('quotes').addColumn('stops', 'text').execute();
  await db.schema.alterTable('booking_events').addColumn('type', 'varchar(16)').execute();
  await db.schema.alterTable('booking_events').addColumn('stop_seq', 'integer').execute();
}
