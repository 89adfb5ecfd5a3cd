import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { errors } from '../../lib/errors';
import { guardDialect } from './guarded-dialect';
import { openPrivateSqlite, privateDirectory } from './private-files';
import { SqliteIntegersPlugin } from './kysely-plugins';
import type { Database } from './schema';
import { shardLabel, type Shard, type ShardPool } from './shard-pool';

/** Embedded mode: one SQLite file per shard under the data directory. */
export class SqliteShardPool implements ShardPool {
  readonly shards: readonly Shard[];
  private closed = false;

  constructor(dataDir: string, count: number) {
    privateDirectory(dataDir);
    this.shards = Array.from({ length: count }, (_, index) => {
      const file = path.join(dataDir, `shard-${index}.sqlite`);
      const label = shardLabel(index);
      const dialect = new SqliteDialect({
        database: () => {
          try {
            const database = openPrivateSqlite(file);
            database.pragma('journal_mode = WAL');
            database.pragma('synchronous = NORMAL');
            database.pragma('busy_timeout = 5000');
            database.pragma('foreign_keys = ON');
            database.defaultSafeIntegers(true);
            return Promise.resolve(database);
          } catch (error) {
            // A file that cannot be opened (directory gone, no permission, not a file) is a
            // shard out of reach, whatever the file system said; Kysely tries again next query.
            return Promise.reject(errors.unavailable(label, error));
          }
        },
      });
      return {
        index,
        label,
        dialect: 'sqlite' as const,
        db: new Kysely<Database>({
          dialect: guardDialect(dialect, label),
          plugins: [new SqliteIntegersPlugin()],
        }),
      };
    });
  }

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
