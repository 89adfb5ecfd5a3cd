import type { Kysely, Transaction } from 'kysely';
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

export function shardLabel(index: number): string {
  return `shard_${index}`;
}
