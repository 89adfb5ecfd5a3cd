import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';
import { sql } from 'kysely';
import { migrateShards, loadShardMap } from './migrate';
import { compareIds, scatterGather } from './scatter';
import type { Shard } from './shard-pool';

describe(`sharded data layer (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    // Empty databases (cluster tier): this app runs every migration itself, as on a new deployment.
    env = await TestEnvironment.create('shards', { schema: 'empty' });
    app = await env.start({ roles: [] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('migrations are idempotent: a second run applies nothing and keeps the shard map', async () => {
    const before = await loadShardMap(app.platform.pool);
    const reports = await migrateShards(app.platform.pool);
    expect(reports.map((report) => report.applied)).toEqual([[], [], [], []]);
    const after = await loadShardMap(app.platform.pool);
    expect(after.ranges).toEqual(before.ranges);
    expect(after.ranges).toHaveLength(4);
  });

  it.runIf(isCluster)(
    "the copy of the run's migrated schema that other test files start from matches a migration from scratch",
    async () => {
      const copied = await TestEnvironment.create('shardscopy');
      try {
        const copy = await copied.start({ roles: [] });
        expect(await schemaOf(copy)).toEqual(await schemaOf(app));
      } finally {
        await copied.destroy();
      }
    },
  );

  it('a row written through its id lands on the shard the id routes to, and only there', async () => {
    const { router, ids } = app.platform;
    for (const logical of [0, 1023, 1024, 2047, 2048, 3071, 3072, 4095]) {
      const id = ids.next(logical);
      await router.forId(id).db.insertInto('users').values(userRow(id)).execute();
      const holders: number[] = [];
      for (const shard of router.shards) {
        const found = await shard.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
        if (found !== undefined) {
          expect(found.id).toBe(id);
          holders.push(shard.index);
        }
      }
      expect(holders).toEqual([Math.floor(logical / 1024)]);
    }
  });

  it('ids that differ only in their last digits are told apart', async () => {
    const { router, ids } = app.platform;
    const first = ids.next(5);
    const second = ids.next(5);
    const db = router.forId(first).db;
    await db
      .insertInto('users')
      .values([userRow(first), userRow(second)])
      .execute();
    const rows = await db
      .selectFrom('users')
      .select('id')
      .where('id', '=', second)
      .where('role', '=', 'customer')
      .execute();
    expect(rows).toEqual([{ id: second }]);
  });

  it('scatter-gather pages over every shard return each row once, newest first, while rows keep arriving', async () => {
    const { router, ids } = app.platform;
    const tag = 'scatter';
    const created: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const id = ids.next((index * 67) % 4096);
      created.push(id);
      await router.forId(id).db.insertInto('users').values(userRow(id, tag)).execute();
    }
    // IDs order by millisecond, then logical shard: a row made in the same millisecond as the
    // last one above could sort among them. The late rows below come from later milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fetch = (shard: Shard, after: readonly (string | number)[] | null, limit: number) => {
      let query = shard.db
        .selectFrom('users')
        .select(['id', 'name'])
        .where('name', '=', tag)
        .orderBy('id', 'desc')
        .limit(limit);
      if (after !== null) {
        query = query.where('id', '<', String(after[0]));
      }
      return query.execute();
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof scatterGather<{ id: string; name: string }>>> =
        await scatterGather({
          shards: router.shards,
          limit: 7,
          cursor,
          fetch,
          keyOf: (row) => [row.id],
          keyArity: 1,
          compare: (a, b) => compareIds(String(b[0]), String(a[0])),
        });
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor;
      pages += 1;
      // Newer rows arriving meanwhile sort before the cursor and never reappear.
      const late = ids.next(pages * 11);
      await router.forId(late).db.insertInto('users').values(userRow(late, tag)).execute();
    } while (cursor !== null);
    const expected = [...created].sort((a, b) => compareIds(b, a));
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(60 / 7));
  });

  it('a tampered cursor is a 400 validation error', async () => {
    await expect(
      scatterGather({
        shards: app.platform.router.shards,
        limit: 5,
        cursor: 'not-a-cursor',
        fetch: () => Promise.resolve([]),
        keyOf: () => ['1'],
        keyArity: 1,
        compare: () => 0,
      }),
    ).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

function userRow(id: string, name = 'someone') {
  return {
    id,
    email: `${id}@example.com`,
    password_hash: 'x',
    name,
    phone: null,
    role: 'customer' as const,
    status: 'active' as const,
    created_at: 0,
    updated_at: 0,
  };
}

/** Each shard's tables as `SHOW CREATE TABLE` gives them, and the rows the migrations leave. */
async function schemaOf(app: LoadlineApp): Promise<unknown[]> {
  return Promise.all(
    app.platform.pool.shards.map(async (shard) => {
      const tables = await sql<Record<string, string>>`SHOW TABLES`.execute(shard.db);
      const names = tables.rows.map((row) => String(Object.values(row)[0])).sort();
      const creates = await Promise.all(
        names.map(async (name) => {
          const created = await sql<{ 'Create Table': string }>`SHOW CREATE TABLE ${sql.table(name)}`.execute(
            shard.db,
          );
          return created.rows[0]?.['Create Table'];
        }),
      );
      const migrations = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
        shard.db,
      );
      const ranges = await shard.db.selectFrom('shard_ranges').selectAll().orderBy('from_logical').execute();
      return { names, creates, migrations: migrations.rows, ranges };
    }),
  );
}
