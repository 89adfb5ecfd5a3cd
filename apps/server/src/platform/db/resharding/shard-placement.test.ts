import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment } from '../../../../test/support/test-env';
import { createShardPool } from '../../platform';
import { migrateShards } from '../migrate';
import type { ShardPool } from '../shard-pool';
import { TABLE_PLACEMENTS } from './shard-placement';

describe('shard placement', () => {
  let env: TestEnvironment;
  let pool: ShardPool;

  beforeAll(async () => {
    env = await TestEnvironment.create('placement', { shards: 1 });
    pool = createShardPool(env.config());
    await migrateShards(pool);
  });

  afterAll(async () => {
    await pool.close();
    await env.destroy();
  });

  it('names how the rows of every table are placed, so a shard move cannot forget one', async () => {
    const shard = pool.shards[0];
    if (shard === undefined) {
      throw new Error('no shard');
    }
    const tables =
      shard.dialect === 'mysql'
        ? await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = database()`.execute(
            shard.db,
          )
        : await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
            shard.db,
          );
    const names = tables.rows.map((row) => row.name).sort();
    expect(names.filter((name) => TABLE_PLACEMENTS[name] === undefined)).toEqual([]);
    expect(Object.keys(TABLE_PLACEMENTS).filter((name) => !names.includes(name))).toEqual([]);
  });
});
