import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * Handover PINs (ADR 0028). `bookings.handover_pins`: whether each handover
 * of the booking needs its PIN (0 for every booking made before). `booking_pins`:
 * on the booking's shard, one row per handover of the current assignment
 * (0 the pickup, else the stop's seq): the PIN hashed for checking and sealed
 * for its customer to read, the wrong tries so far and when they locked it.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .alterTable('bookings')
    .addColumn('handover_pins', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await tableOptions(dialect)(
    db.schema
      .createTable('booking_pins')
      .ifNotExists()
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('handover', 'integer', (col) => col.notNull())
      .addColumn('pin_hash', 'varchar(100)', (col) => col.notNull())
      .addColumn('pin_sealed', 'varchar(200)', (col) => col.notNull())
      .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('locked_at', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('booking_pins_pk', ['booking_id', 'handover']),
  ).execute();
}
