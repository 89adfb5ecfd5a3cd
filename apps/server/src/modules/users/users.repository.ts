import type { Selectable } from 'kysely';
import type { LookupDirectoryTable, UsersTable } from '../../platform/db/schema';
import { selectWithIndex, type HintTarget } from '../../platform/db/index-hints';
import type { Executor } from '../../platform/db/shard-pool';

export type UserRow = Selectable<UsersTable>;
export type LookupRow = Selectable<LookupDirectoryTable>;
export type LookupKind = 'email' | 'plate';

/** Every account role and status (one added to the column's type must be added here to compile). */
const ROLES: Record<UserRow['role'], true> = { customer: true, driver: true, admin: true };
const STATUSES: Record<UserRow['status'], true> = { active: true, suspended: true };
/** A page of a role alone, or of a status alone, merges ranges of `(role, status, id)` (ADRs 0039, 0040). */
const USER_ROLES = Object.keys(ROLES) as UserRow['role'][];
const USER_STATUSES = Object.keys(STATUSES) as UserRow['status'][];

/** Users and the lookup directory (email and plate to owner ID). Every method runs on the shard it is given. */
export class UsersRepository {
  async insertUser(db: Executor, row: UserRow): Promise<void> {
    await db.insertInto('users').values(row).execute();
  }

  async findById(db: Executor, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The names of these users of this shard, by ID (IDs of other shards or unknown ones are left out). */
  async names(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  async setStatus(db: Executor, id: string, status: UserRow['status'], now: number): Promise<boolean> {
    const result = await db
      .updateTable('users')
      .set({ status, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Replaces the user's password hash; with `replacing`, only while the stored
   * hash is still that one (an upgrade at login must not undo a reset made meanwhile).
   */
  async setPasswordHash(
    db: Executor,
    id: string,
    hash: string,
    now: number,
    replacing?: string,
  ): Promise<boolean> {
    let query = db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', id);
    if (replacing !== undefined) {
      query = query.where('password_hash', '=', replacing);
    }
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * A page of this shard's users, newest first, before `beforeId` when given.
   * Each filter reads ranges of `(role, status, id)` only (ADRs 0039, 0040):
   * a role and a status its one range, a role alone the newest of each
   * status's range, a status alone the newest of each role's, merged; no
   * filter reads the primary key.
   */
  async listPage(
    shard: HintTarget,
    options: {
      role?: UserRow['role'] | undefined;
      status?: UserRow['status'] | undefined;
      beforeId: string | null;
      limit: number;
    },
  ): Promise<UserRow[]> {
    const { db } = shard;
    const range = (role: UserRow['role'] | undefined, status: UserRow['status'] | undefined) => {
      let query = db.selectFrom('users').selectAll().orderBy('id', 'desc').limit(options.limit);
      if (role !== undefined) {
        query = query.where('role', '=', role);
      }
      if (status !== undefined) {
        query = query.where('status', '=', status);
      }
      if (options.beforeId !== null) {
        query = query.where('id', '<', options.beforeId);
      }
      return query;
    };
    const { role, status } = options;
    if (role === undefined && status === undefined) {
      return range(undefined, undefined).execute();
    }
    if (role !== undefined && status !== undefined) {
      return selectWithIndex(shard, range(role, status), 'users', 'users_role_status_id');
    }
    const ranges =
      role === undefined
        ? USER_ROLES.map((each) => range(each, status))
        : USER_STATUSES.map((each) => range(role, each));
    const merged = ranges
      .map((part, index) => db.selectFrom(part.as(`range_${index}`)).selectAll())
      .reduce((union, part) => union.unionAll(part));
    return selectWithIndex(
      shard,
      merged.orderBy('id', 'desc').limit(options.limit),
      'users',
      'users_role_status_id',
    );
  }

  /** Claims a unique value; a duplicate raises the dialect's unique-violation error. */
  async insertLookup(db: Executor, row: LookupRow): Promise<void> {
    await db.insertInto('lookup_directory').values(row).execute();
  }

  async findLookup(db: Executor, kind: LookupKind, value: string): Promise<LookupRow | undefined> {
    return db
      .selectFrom('lookup_directory')
      .selectAll()
      .where('kind', '=', kind)
      .where('value', '=', value)
      .executeTakeFirst();
  }

  async deleteLookup(db: Executor, kind: LookupKind, value: string, ownerId: string): Promise<void> {
    await db
      .deleteFrom('lookup_directory')
      .where('kind', '=', kind)
      .where('value', '=', value)
      .where('owner_id', '=', ownerId)
      .execute();
  }
}
