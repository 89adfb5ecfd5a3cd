import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';

/**
 * The admin user list pages newest first by role, by status, or by both
 * (ADR 0039). `(role, status, id)` reads one range for a role and a status,
 * and one range per status for a role alone; it replaces `(role, id)`, so an
 * account still writes two secondary entries in `users`, not three.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createIndex('users_role_status_id')
    .ifNotExists()
    .on('users')
    .columns(['role', 'status', 'id'])
    .execute();
  const drop = db.schema.dropIndex('users_role_id').ifExists();
  // MySQL names an index's table; SQLite's index names are the schema's own.
  await (dialect === 'mysql' ? drop.on('users') : drop).execute();
}
