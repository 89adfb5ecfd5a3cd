import type { Kysely } from 'kysely';
import { tableOptions, type MigrationDialect } from './migration-helpers';

/**
 * The parts of each booking the analytics roll-ups have counted, keyed by the
 * booking and the part (`created`, `delivered`, `cancelled`, `expired` on the
 * booking's shard; `trip`, `rating` on the driver's), so an outbox consumer and
 * a rebuild can never both count one (ADR 0012). They replace `rollup_marks`,
 * which named the event instead: a rebuild cannot know which events a booking's
 * row already reflects. Run `loadline analytics rebuild` once after this
 * migration, so the parts counted before it are claimed.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await tableOptions(dialect)(
    db.schema
      .createTable('rollup_parts')
      .ifNotExists()
      .addColumn('booking_id', 'bigint', (col) => col.notNull())
      .addColumn('part', 'varchar(16)', (col) => col.notNull())
      .addColumn('event_id', 'bigint')
      .addPrimaryKeyConstraint('rollup_parts_pk', ['booking_id', 'part']),
  ).execute();
  await db.schema.dropTable('rollup_marks').ifExists().execute();
}
