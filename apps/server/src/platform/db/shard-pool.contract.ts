import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUniqueViolation } from './db-errors';
import { executeLater } from './pipelined-transactions';
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

    it('writes sent later are read back inside their transaction and committed with it', async () => {
      const [shard] = pool.shards;
      if (shard === undefined) {
        throw new Error('a shard expected');
      }
      const seen = await shard.db.transaction().execute(async (trx) => {
        const tables = trx.withTables<ContractTables>();
        await executeLater(tables, tables.insertInto('contract_rows').values({ id: 'a', note: 'held' }));
        await executeLater(tables, tables.insertInto('contract_rows').values({ id: 'b', note: 'held too' }));
        const updated = await tables
          .updateTable('contract_rows')
          .set({ note: 'updated' })
          .where('id', '=', 'a')
          .executeTakeFirst();
        const rows = await tables.selectFrom('contract_rows').select('note').orderBy('id').execute();
        await executeLater(tables, tables.insertInto('contract_rows').values({ id: 'c', note: 'last' }));
        return { updated: updated.numUpdatedRows, notes: rows.map((row) => row.note) };
      });
      expect(seen).toEqual({ updated: 1n, notes: ['updated', 'held too'] });
      expect(await notesOn(shard)).toEqual(['updated', 'held too', 'last']);
    });

    it('a later write that fails rolls back its whole transaction and leaves no transaction open', async () => {
      const [shard] = pool.shards;
      if (shard === undefined) {
        throw new Error('a shard expected');
      }
      await rowsOf(shard).insertInto('contract_rows').values({ id: 'taken', note: 'before' }).execute();
      const attempt = shard.db.transaction().execute(async (trx) => {
        const tables = trx.withTables<ContractTables>();
        await tables
          .updateTable('contract_rows')
          .set({ note: 'changed' })
          .where('id', '=', 'taken')
          .execute();
        await executeLater(tables, tables.insertInto('contract_rows').values({ id: 'first', note: 'lost' }));
        await executeLater(
          tables,
          tables.insertInto('contract_rows').values({ id: 'taken', note: 'duplicate' }),
        );
        await executeLater(tables, tables.insertInto('contract_rows').values({ id: 'third', note: 'lost' }));
      });
      await expect(attempt).rejects.toSatisfy(isUniqueViolation);
      // Every connection of the pool in turn: none may still hold the failed transaction's writes.
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          shard.db.transaction().execute(async (trx) => {
            const tables = trx.withTables<ContractTables>();
            await executeLater(
              tables,
              tables.insertInto('contract_rows').values({ id: `after-${index}`, note: 'after' }),
            );
          }),
        ),
      );
      const notes = await notesOn(shard);
      expect(notes.filter((note) => note !== 'after')).toEqual(['before']);
      expect(notes).toHaveLength(21);
    });

    it('a transaction that throws before its held writes were sent keeps none of them', async () => {
      const [shard] = pool.shards;
      if (shard === undefined) {
        throw new Error('a shard expected');
      }
      const failure = new Error('changed its mind');
      await expect(
        shard.db.transaction().execute(async (trx) => {
          const tables = trx.withTables<ContractTables>();
          await executeLater(
            tables,
            tables.insertInto('contract_rows').values({ id: 'held', note: 'never' }),
          );
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await notesOn(shard)).toEqual([]);
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
