import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * A page of one status reads that status's range of `(role, status, id)` once
 * per role, merged (ADR 0040), so `(status, id)` goes: an account writes one
 * secondary entry in `users`, not two. InnoDB drops an index in place.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const drop = db.schema.dropIndex('users_status_id').ifExists();
  // MySQL names an index's table; SQLite's index names are the schema's own.
  await (dialect === 'mysql' ? drop.on('users') : drop).execute();
}
