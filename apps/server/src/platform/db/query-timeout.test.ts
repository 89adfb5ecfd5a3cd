import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCluster } from '../../../test/support/tier';
import { startThrowawayMariadb } from '../../../test/support/throwaway-services';
import { waitFor } from '../../../test/support/wait';
import { settledWithin, within } from '../../../test/support/within';
import { MysqlShardPool } from './mysql-shard-pool';
import { inLongQueries, withLongQueries } from './query-timeout';
import type { Shard } from './shard-pool';

type Throwaway = Awaited<ReturnType<typeof startThrowawayMariadb>>;

// A type, not an interface: withTables wants a record type.
type NotesTable = { notes: { id: number; note: string } };

const QUERY_MS = 600;
/** Room for a loaded machine; a hung query without a timeout waits for as long as the server is stopped. */
const MARGIN_MS = 2_500;

async function selectOne(shard: Shard): Promise<number> {
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(shard.db);
  return rows[0]?.one ?? 0;
}

describe('withLongQueries', () => {
  it('holds for the work however deep, and for overlapping work until each ends', async () => {
    expect(inLongQueries()).toBe(false);
    let releaseFirst = (): void => undefined;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const seen: boolean[] = [];
    const first = withLongQueries(async () => {
      await firstHeld;
      seen.push(inLongQueries());
    });
    await withLongQueries(async () => {
      await Promise.resolve();
      seen.push(inLongQueries());
    });
    // The second ended while the first still runs: the first keeps its timeout.
    releaseFirst();
    await first;
    expect(seen).toEqual([true, true]);
    expect(inLongQueries()).toBe(false);
    // Switched off and on again.
    expect(await withLongQueries(() => Promise.resolve(inLongQueries()))).toBe(true);
    expect(inLongQueries()).toBe(false);
  });
});

// Stops its own MariaDB with SIGSTOP, so it needs the cluster tier.
describe.runIf(isCluster)('MySQL query timeouts when the server hangs (cluster)', () => {
  let server: Throwaway;
  let pool: MysqlShardPool;
  let shard: Shard;

  beforeAll(async () => {
    server = await startThrowawayMariadb(['timeouts']);
    pool = new MysqlShardPool({
      urls: [`${server.url}/timeouts`],
      connectionsPerShard: 2,
      timeouts: { queryMs: QUERY_MS, longQueryMs: 30_000 },
    });
    const [first] = pool.shards;
    if (first === undefined) {
      throw new Error('one shard expected');
    }
    shard = first;
    await sql`create table notes (id int primary key, note varchar(20) not null)`.execute(shard.db);
  }, 60_000);

  afterAll(async () => {
    server.resume();
    await pool.close();
    await server.dispose();
  });

  it('a query slower than the timeout fails with 503, unless it runs with the long timeout', async () => {
    await expect(sql`select sleep(2)`.execute(shard.db)).rejects.toMatchObject({
      status: 503,
      code: 'unavailable',
      details: { dependency: 'shard_0' },
    });
    const { rows } = await withLongQueries(() =>
      sql<{ slept: number }>`select sleep(1) as slept`.execute(shard.db),
    );
    expect(rows).toEqual([{ slept: 0 }]);
    expect(await selectOne(shard)).toBe(1);
  });

  it('queries and transactions on pooled connections answer 503 within the timeout while the server is stopped; the same pool serves once it runs again', async () => {
    // Both pooled connections are open and idle, as in a server that has been serving.
    await Promise.all([selectOne(shard), selectOne(shard)]);
    const probe = await createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    server.pause();
    try {
      // SIGSTOP lands a moment after kill() returns: wait until the server no longer answers.
      await waitFor(async () => (await within(200, probe.query('select 1'))) === 'still waiting', 5_000, 0);
      const query = settledWithin(QUERY_MS + MARGIN_MS, selectOne(shard));
      const transaction = settledWithin(
        QUERY_MS + MARGIN_MS,
        shard.db.transaction().execute(async (trx) => {
          await trx.withTables<NotesTable>().insertInto('notes').values({ id: 1, note: 'lost' }).execute();
        }),
      );
      for (const settled of [await query, await transaction]) {
        expect(settled).toMatchObject({
          status: 'rejected',
          reason: { status: 503, code: 'unavailable', details: { dependency: 'shard_0' } },
        });
      }
    } finally {
      server.resume();
      probe.destroy();
    }
    // Every connection the pool hands out now answers: none still carries a query that timed out.
    const answers = await Promise.all(Array.from({ length: 6 }, () => selectOne(shard)));
    expect(answers).toEqual([1, 1, 1, 1, 1, 1]);
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(shard.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
