import type { Insertable, Selectable } from 'kysely';
import type { ApiKeysTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** `lookup_directory` kind under which a key's hash names the key's ID. */
export const API_KEY_LOOKUP = 'api_key';

/** Where the directory entry of a key hash lives (see ShardRouter.forKey). */
export function apiKeyLookupKey(keyHash: string): string {
  return `${API_KEY_LOOKUP}:${keyHash}`;
}

/**
 * API keys on their customer's shard, and the directory entries that find a
 * key from its hash on the hash's shard. Every method runs on the shard it is given.
 */
export class ApiKeysRepository {
  async insert(db: Executor, row: Insertable<ApiKeysTable>): Promise<void> {
    await db.insertInto('api_keys').values(row).execute();
  }

  async remove(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('api_keys').where('id', '=', id).execute();
  }

  async find(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The customer's keys not revoked, newest first. */
  async listActive(db: Executor, customerId: string, limit: number): Promise<ApiKeyRow[]> {
    return db
      .selectFrom('api_keys')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('revoked_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  async countActive(db: Executor, customerId: string): Promise<number> {
    const row = await db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('customer_id', '=', customerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Revokes one of the customer's live keys; the row it revoked, or undefined when there was none. */
  async revoke(db: Executor, customerId: string, id: string, now: number): Promise<ApiKeyRow | undefined> {
    const result = await db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('customer_id', '=', customerId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? this.find(db, id) : undefined;
  }

  async insertLookup(db: Executor, keyHash: string, keyId: string, now: number): Promise<void> {
    await db
      .insertInto('lookup_directory')
      .values({ kind: API_KEY_LOOKUP, value: keyHash, owner_id: keyId, created_at: now })
      .execute();
  }

  /** The ID of the key with this hash, if the directory knows it. */
  async findLookup(db: Executor, keyHash: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('lookup_directory')
      .select('owner_id')
      .where('kind', '=', API_KEY_LOOKUP)
      .where('value', '=', keyHash)
      .executeTakeFirst();
    return row?.owner_id;
  }

  async deleteLookup(db: Executor, keyHash: string): Promise<void> {
    await db
      .deleteFrom('lookup_directory')
      .where('kind', '=', API_KEY_LOOKUP)
      .where('value', '=', keyHash)
      .execute();
  }
}
