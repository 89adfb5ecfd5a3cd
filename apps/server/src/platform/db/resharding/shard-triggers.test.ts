import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment } from '../../../../test/support/test-env';
import { isCluster } from '../../../../test/support/tier';
import { isAppError } from '../../../lib/errors';
import { createShardPool } from '../../platform';
import { encodeId } from '../ids';
import { migrateShards } from '../migrate';
import type { Shard, ShardPool } from '../shard-pool';
import { TABLE_PLACEMENTS } from './shard-placement';
import { installGuard } from './shard-triggers';

describe.runIf(isCluster)('shard guards (cluster)', () => {
  let env: TestEnvironment;
  let pool: ShardPool;
  let shard: Shard;
  const placement = TABLE_PLACEMENTS.users;
  if (placement?.kind !== 'movable') {
    throw new Error('users are placed by their id');
  }

  const guardNames = async (): Promise<string[]> =>
    (
      await sql<{ name: string }>`
        select trigger_name as name from information_schema.triggers
        where trigger_schema = database() and event_object_table = 'users' and trigger_name like 'll\\_guard\\_%'`.execute(
        shard.db,
      )
    ).rows
      .map((row) => row.name)
      .sort();

  const insertUser = (logicalShard: number) =>
    shard.db
      .insertInto('users')
      .values({
        id: encodeId({ timestampMs: Date.now(), logicalShard, node: 9, sequence: logicalShard % 32 }),
        email: `guard-${logicalShard}-${Date.now()}@example.com`,
        password_hash: 'x',
        name: 'Guarded',
        phone: null,
        role: 'customer',
        status: 'active',
        created_at: 0,
        updated_at: 0,
      })
      .execute();

  beforeAll(async () => {
    env = await TestEnvironment.create('guards', { shards: 1 });
    pool = createShardPool(env.config());
    await migrateShards(pool);
    const first = pool.shards[0];
    if (first === undefined) {
      throw new Error('one shard expected');
    }
    shard = first;
  });

  afterAll(async () => {
    await pool.close();
    await env.destroy();
  });

  it('refuses writes of the guarded logical shards with 503, and asking again for the same guard changes nothing', async () => {
    await installGuard(shard.db, 'users', placement.owner, [{ from: 0, to: 10 }]);
    const first = await guardNames();
    expect(first).toHaveLength(3);

    const refused = await insertUser(5).catch((error: unknown) => error);
    expect(isAppError(refused) && refused.status === 503 && refused.headers?.['retry-after'] === '1').toBe(
      true,
    );
    await insertUser(10);

    await installGuard(shard.db, 'users', placement.owner, [{ from: 0, to: 10 }]);
    expect(await guardNames()).toEqual(first);

    await installGuard(shard.db, 'users', placement.owner, [{ from: 0, to: 20 }]);
    const widened = await guardNames();
    expect(widened).toHaveLength(3);
    expect(widened.some((name) => first.includes(name))).toBe(false);
    await expect(insertUser(15)).rejects.toThrow();

    await installGuard(shard.db, 'users', placement.owner, []);
    expect(await guardNames()).toEqual([]);
    await insertUser(5);
  });
});
