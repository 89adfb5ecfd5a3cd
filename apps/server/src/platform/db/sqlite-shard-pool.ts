import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { errors } from '../../lib/errors';
import { guardDialect } from './guarded-dialect';
import { openPrivateSqlite, privateDirectory } from './private-files';
import { SqliteIntegersPlugin } from './kysely-plugins';
import type { Database } from './schema';
import { KyselyShardPool, shardLabel, type Shard } from './shard-pool';

/** Embedded mode: one SQLite file per shard under the data directory. */
export class SqliteShardPool extends KyselyShardPool {
  readonly shards: readonly Shard[];

  constructor(dataDir: string, count: number) {
    super();
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
}
