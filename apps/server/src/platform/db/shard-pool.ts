import { sql, type Kysely, type Transaction } from 'kysely';
import { errors } from '../../lib/errors';
import type { Database } from './schema';

export type SqlDialectName = 'mysql' | 'sqlite';

/** Where a repository runs its SQL: a shard's pool, or a transaction open on it. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface Shard {
  /** Position in the configured list; the shard map refers to shards by it. */
  readonly index: number;
  /** Stable name used in logs, metrics and 503 details, e.g. `shard_2`. */
  readonly label: string;
  readonly dialect: SqlDialectName;
  readonly db: Kysely<Database>;
}

/**
 * The physical shards of one deployment: SQLite files in embedded mode,
 * MySQL/MariaDB databases in cluster mode.
 */
export interface ShardPool {
  readonly shards: readonly Shard[];
  /** Resolves when the shard answers a trivial query; rejects with 503 naming it otherwise. */
  ping(shard: Shard): Promise<void>;
  close(): Promise<void>;
}

/** What both adapters do alike once their Kysely instances exist: the health check and the close. */
export abstract class KyselyShardPool implements ShardPool {
  abstract readonly shards: readonly Shard[];
  private closed = false;

  async ping(shard: Shard): Promise<void> {
    try {
      await sql`select 1`.execute(shard.db);
    } catch (error) {
      throw errors.unavailable(shard.label, error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.all(this.shards.map((shard) => shard.db.destroy()));
  }
}

export function shardLabel(index: number): string {
  return `shard_${index}`;
}
