import { Migrator, type Kysely, type Migration } from 'kysely';
import { migrations } from './migrations';
import { withLongQueries } from './query-timeout';
import type { Shard, ShardPool } from './shard-pool';
import { ShardMap } from './shard-map';
import type { Database } from './schema';

export interface MigrationReport {
  shard: string;
  applied: string[];
}

function providerFor(shard: Shard): { getMigrations(): Promise<Record<string, Migration>> } {
  return {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          migrations.map((migration) => [
            migration.name,
            { up: (db: Kysely<unknown>) => migration.up(db, shard.dialect) },
          ]),
        ),
      ),
  };
}

/**
 * Brings every shard to the latest schema and seeds the shard map on shard 0
 * when it is empty. Safe to run any number of times, from several processes.
 * Its statements (a table rebuild, a lock wait behind another migrator) run
 * under the long query timeout.
 */
export function migrateShards(pool: ShardPool): Promise<MigrationReport[]> {
  return withLongQueries(() => migrateEveryShard(pool));
}

async function migrateEveryShard(pool: ShardPool): Promise<MigrationReport[]> {
  const reports = await Promise.all(
    pool.shards.map(async (shard) => {
      // Every migration is additive and safe to re-run, so one that lands
      // after a later-numbered one (work merged in another order) still runs.
      const migrator = new Migrator({
        db: shard.db,
        provider: providerFor(shard),
        allowUnorderedMigrations: true,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error !== undefined) {
        throw error instanceof Error ? error : new Error(`migration failed on ${shard.label}`);
      }
      return {
        shard: shard.label,
        applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
      };
    }),
  );
  await seedShardMap(pool);
  return reports;
}

async function seedShardMap(pool: ShardPool): Promise<void> {
  const catalog = catalogShard(pool).db;
  const layout = ShardMap.even(pool.shards.length);
  await catalog.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('shard_ranges').select('from_logical').limit(1).execute();
    if (existing.length > 0) {
      return;
    }
    await trx
      .insertInto('shard_ranges')
      .values(
        layout.ranges.map((range) => ({
          from_logical: range.from,
          to_logical: range.to,
          shard_index: range.shard,
        })),
      )
      .execute();
  });
}

/** Shard 0 holds the shard map. */
export function catalogShard(pool: ShardPool): Shard {
  const first = pool.shards[0];
  if (first === undefined) {
    throw new Error('no shards configured');
  }
  return first;
}

/** Reads the shard map; fails when it is missing (run `loadline migrate`) or names unknown shards. */
export async function loadShardMap(pool: ShardPool): Promise<ShardMap> {
  const db: Kysely<Database> = catalogShard(pool).db;
  // One snapshot, so the ranges and the version always belong together.
  const { rows, state } = await db.transaction().execute(async (trx) => ({
    rows: await trx.selectFrom('shard_ranges').selectAll().orderBy('from_logical').execute(),
    state: await trx.selectFrom('shard_map_state').select('version').where('id', '=', 1).executeTakeFirst(),
  }));
  if (rows.length === 0) {
    throw new Error('the shard map is empty: run `loadline migrate` first');
  }
  return new ShardMap(
    rows.map((row) => ({ from: row.from_logical, to: row.to_logical, shard: row.shard_index })),
    pool.shards.length,
    state?.version ?? 1,
  );
}
