import { sql } from 'kysely';
import { systemClock, type Clock } from '../../lib/clock';
import type { ShardRouter } from '../db/shard-router';
import type { Shard } from '../db/shard-pool';
import type { DurableSessionStore, Role, Session, SessionKey } from './session-store.port';

const pruneEveryMs = 10 * 60_000;

/**
 * Sessions as rows of the `sessions` table on their user's shard, the store of
 * record in both run modes (a SQLite shard file embedded, a MySQL shard in a
 * cluster). The key's user id routes to the shard, so no lookup comes first.
 * Expired rows are ignored on read and deleted on a shard at most every ten
 * minutes (by clock time), when a session is created there: rows only ever
 * arrive through `create`, so that bounds the table.
 */
export class SqlSessionStore implements DurableSessionStore {
  private readonly nextPruneAt = new Map<number, number>();
  private closed = false;

  constructor(
    private readonly router: ShardRouter,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(tokenHash: string, session: Session): Promise<void> {
    this.assertOpen();
    const shard = this.router.forId(session.userId);
    const now = this.clock.now();
    await this.pruneIfDue(shard, now);
    // An already expired session could never be read.
    if (session.expiresAt <= now) {
      return;
    }
    // A second create with the same hash replaces the row. One upsert, not a delete then an insert: on
    // MySQL the delete of a missing row takes a gap lock, and two sign-ups at once deadlocked on it.
    const row = {
      token_hash: tokenHash,
      user_id: session.userId,
      role: session.role,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    };
    const replaced = {
      user_id: row.user_id,
      role: row.role,
      created_at: row.created_at,
      expires_at: row.expires_at,
    };
    const insert = shard.db.insertInto('sessions').values(row);
    await (
      shard.dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate(replaced)
        : insert.onConflict((conflict) => conflict.column('token_hash').doUpdateSet(replaced))
    ).execute();
  }

  async get(key: SessionKey): Promise<Session | null> {
    this.assertOpen();
    const row = await this.router
      .forId(key.userId)
      .db.selectFrom('sessions')
      .select(['role', 'created_at', 'expires_at'])
      .where('token_hash', '=', key.tokenHash)
      .where('user_id', '=', key.userId)
      .where('expires_at', '>', this.clock.now())
      .executeTakeFirst();
    if (row === undefined) {
      return null;
    }
    return {
      userId: key.userId,
      role: parseRole(row.role),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  async revoke(key: SessionKey): Promise<void> {
    this.assertOpen();
    await this.router
      .forId(key.userId)
      .db.deleteFrom('sessions')
      .where('token_hash', '=', key.tokenHash)
      .where('user_id', '=', key.userId)
      .execute();
  }

  async revokeAllForUser(userId: string): Promise<number> {
    return (await this.revokeAllForUserListed(userId)).length;
  }

  async revokeAllForUserListed(userId: string): Promise<string[]> {
    this.assertOpen();
    const shard = this.router.forId(userId);
    const now = this.clock.now();
    return shard.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('sessions')
        .select(['token_hash', 'expires_at'])
        .where('user_id', '=', userId);
      if (shard.dialect === 'mysql') {
        // A session created meanwhile either waits for this delete or is not in it and stays.
        query = query.forUpdate();
      }
      const rows = await query.execute();
      if (rows.length === 0) {
        return [];
      }
      const hashes = rows.map((row) => row.token_hash);
      await trx.deleteFrom('sessions').where('token_hash', 'in', hashes).execute();
      // Expired rows go too, but only live sessions count as revoked.
      return rows.filter((row) => row.expires_at > now).map((row) => row.token_hash);
    });
  }

  /** Deletes expired rows on every shard now; returns how many. Runs by itself from `create`. */
  async prune(): Promise<number> {
    this.assertOpen();
    const now = this.clock.now();
    let deleted = 0;
    for (const shard of this.router.shards) {
      deleted += await this.pruneShard(shard, now);
    }
    return deleted;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await Promise.all(this.router.shards.map((shard) => sql`select 1`.execute(shard.db)));
  }

  /** Refuses later calls; the shards belong to the caller. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private async pruneIfDue(shard: Shard, now: number): Promise<void> {
    if (now >= (this.nextPruneAt.get(shard.index) ?? 0)) {
      await this.pruneShard(shard, now);
    }
  }

  private async pruneShard(shard: Shard, now: number): Promise<number> {
    this.nextPruneAt.set(shard.index, now + pruneEveryMs);
    const result = await shard.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('session store is closed');
    }
  }
}

const roles: readonly Role[] = ['customer', 'driver', 'admin'];

function parseRole(value: string): Role {
  const role = roles.find((candidate) => candidate === value);
  if (role === undefined) {
    throw new Error(`sessions table holds an unknown role: ${value}`);
  }
  return role;
}
