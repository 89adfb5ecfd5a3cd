import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * Durable schedules and an outbox kept until consumed (ADR 0018):
 * `bookings.next_step_at`, when a searching booking's next dispatch step is
 * due, found by the sweep through `(status, next_step_at)`; and
 * `outbox.consumed_at`, set once every consumer of the event has run, with
 * `(consumed_at, published_at)` for the relay to find events published long
 * ago and never consumed. Events already published count as consumed, as
 * they were until now; bookings already searching are due for a look.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('bookings').addColumn('next_step_at', 'bigint').execute();
  await db.schema
    .createIndex('bookings_next_step')
    .ifNotExists()
    .on('bookings')
    .columns(['status', 'next_step_at'])
    .execute();
  // A booking searching now is looked at by the first sweep, which runs its next step if it is due.
  await sql`update bookings set next_step_at = coalesce(search_started_at, created_at) where status = 'searching'`.execute(
    db,
  );
  await db.schema.alterTable('outbox').addColumn('consumed_at', 'bigint').execute();
  await sql`update outbox set consumed_at = published_at where published_at is not null`.execute(db);
  await db.schema
    .createIndex('outbox_unconsumed')
    .ifNotExists()
    .on('outbox')
    .columns(['consumed_at', 'published_at'])
    .execute();
}
