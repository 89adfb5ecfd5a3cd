import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './schema';
import type { Shard, ShardPool, SqlDialectName } from './shard-pool';

export interface ShardPoolHarness {
  dialect: SqlDialectName;
  /** A new pool over the same two reachable shards each time (they keep what earlier tests wrote). */
  open(): Promise<ShardPool>;
  /** A new pool of two shards of which the second, `shard_1`, cannot be reached. */
  openWithUnreachableShard(): Promise<ShardPool>;
}

// A type, not an interface: withTables wants a record type.
type ContractTables = {
  contract_rows: { id: string; note: string };
};

function rowsOf(shard: Shard): Kysely<Database & ContractTables> {
  return shard.db.withTables<ContractTables>();
}

async function notesOn(shard: Shard): Promise<string[]> {
  const rows = await rowsOf(shard).selectFrom('contract_rows').select('note').orderBy('id').execute();
  return rows.map((row) => row.note);
}

/** The behaviour every ShardPool adapter shares. The suite closes each pool it opens. */
export function describeShardPoolContract(name: string, harness: ShardPoolHarness): void {
  describe(`ShardPool contract: ${name}`, () => {
    let pool: ShardPool;

    beforeEach(async () => {
      pool = await harness.open();
      for (const shard of pool.shards) {
        await sql`CREATE TABLE IF NOT EXISTS contract_rows (id VARCHAR(40) PRIMARY KEY, note VARCHAR(40) NOT NULL)`.execute(
          shard.db,
        );
        await rowsOf(shard).deleteFrom('contract_rows').execute();
      }
    });

    afterEach(async () => {
      await pool.close();
    });

    it('lists its shards in order, each labelled shard_<index> with its dialect', () => {
      expect(pool.shards.map((shard) => [shard.index, shard.label, shard.dialect])).toEqual([
        [0, 'shard_0', harness.dialect],
        [1, 'shard_1', harness.dialect],
      ]);
    });

    it('ping resolves for every reachable shard', async () => {
      for (const shard of pool.shards) {
        await expect(pool.ping(shard)).resolves.toBeUndefined();
      }
    });

    it('a committed transaction keeps its rows, on its own shard only', async () => {
      const [first, second] = pool.shards;
      if (first === undefined || second === undefined) {
        throw new Error('two shards expected');
      }
      await first.db.transaction().execute(async (trx) => {
        await trx
          .withTables<ContractTables>()
          .insertInto('contract_rows')
          .values([
            { id: 'a', note: 'first' },
            { id: 'b', note: 'second' },
          ])
          .execute();
      });
      expect(await notesOn(first)).toEqual(['first', 'second']);
      expect(await notesOn(second)).toEqual([]);
    });

    it('a transaction that throws is rolled back and rejects with its error', async () => {
      const [shard] = pool.shards;
      if (shard === undefined) {
        throw new Error('a shard expected');
      }
      await rowsOf(shard).insertInto('contract_rows').values({ id: 'kept', note: 'before' }).execute();
      const failure = new Error('change failed');
      await expect(
        shard.db.transaction().execute(async (trx) => {
          const tables = trx.withTables<ContractTables>();
          await tables.insertInto('contract_rows').values({ id: 'lost', note: 'inside' }).execute();
          await tables
            .updateTable('contract_rows')
            .set({ note: 'changed' })
            .where('id', '=', 'kept')
            .execute();
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await notesOn(shard)).toEqual(['before']);
    });

    it('an unreachable shard answers ping and queries with 503 unavailable naming it', async () => {
      const broken = await harness.openWithUnreachableShard();
      try {
        const shard = broken.shards[1];
        if (shard === undefined) {
          throw new Error('two shards expected');
        }
        const unavailable = { status: 503, code: 'unavailable', details: { dependency: 'shard_1' } };
        await expect(broken.ping(shard)).rejects.toMatchObject(unavailable);
        await expect(sql`select 1`.execute(shard.db)).rejects.toMatchObject(unavailable);
        await expect(
          shard.db.transaction().execute((trx) => sql`select 1`.execute(trx)),
        ).rejects.toMatchObject(unavailable);
      } finally {
        await broken.close();
      }
    });

    it('close can be called twice', async () => {
      await pool.close();
      await expect(pool.close()).resolves.toBeUndefined();
    });
  });
}
