import {
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { executeLater, pipelineTransactions } from './pipelined-transactions';

type Tables = { notes: { id: string; note: string } };

/** One row a select answers, and the OK packet mysql2 gives any other statement. */
const ROW = { id: 'a', note: 'read' };
const ok = (affectedRows: number) => ({ insertId: 0, affectedRows, changedRows: affectedRows });

/**
 * A MySQL connection as Kysely's driver presents it: one call per round trip,
 * each recorded; a multi-statement query answers with one result per statement.
 */
class RecordingConnection implements DatabaseConnection {
  constructor(
    private readonly sent: string[],
    private readonly failOn: string | null,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.sent.push(query.sql);
    const statements = query.sql.split(';\n');
    if (this.failOn !== null && statements.some((statement) => statement.includes(this.failOn ?? ''))) {
      return Promise.reject(Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' }));
    }
    const answers = statements.map((statement) =>
      statement.startsWith('select') ? [ROW] : ok(statement.startsWith('update') ? 2 : 1),
    );
    if (answers.length > 1) {
      return Promise.resolve({ rows: answers as R[] });
    }
    const [only] = answers;
    return Promise.resolve(
      Array.isArray(only)
        ? { rows: only as R[] }
        : { numAffectedRows: BigInt(only?.affectedRows ?? 0), rows: [] },
    );
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('not used');
  }
}

function recordingDb(failOn: string | null = null): { db: Kysely<Tables>; sent: string[] } {
  const sent: string[] = [];
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(new RecordingConnection(sent, failOn)),
    beginTransaction: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin'));
    },
    commitTransaction: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    },
    rollbackTransaction: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    },
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  const inner: Dialect = {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new MysqlQueryCompiler(),
    createIntrospector: (db) => new MysqlIntrospector(db),
  };
  return { db: new Kysely<Tables>({ dialect: pipelineTransactions(inner) }), sent };
}

const insert = (db: Kysely<Tables>, id: string) => db.insertInto('notes').values({ id, note: 'n' });
const INSERT = 'insert into `notes` (`id`, `note`) values (?, ?)';

describe('pipelineTransactions', () => {
  it('sends a transaction of held writes as one round trip: begin, the writes, commit', async () => {
    const { db, sent } = recordingDb();
    await db.transaction().execute(async (trx) => {
      await executeLater(trx, insert(trx, 'a'));
      await executeLater(trx, insert(trx, 'b'));
      await executeLater(trx, insert(trx, 'c'));
    });
    expect(sent).toEqual([['begin', INSERT, INSERT, INSERT, 'commit'].join(';\n')]);
  });

  it('sends held writes with the next awaited statement, which gets its own answer', async () => {
    const { db, sent } = recordingDb();
    const answers = await db.transaction().execute(async (trx) => {
      await executeLater(trx, insert(trx, 'a'));
      const updated = await trx
        .updateTable('notes')
        .set({ note: 'm' })
        .where('id', '=', 'a')
        .executeTakeFirst();
      const rows = await trx.selectFrom('notes').selectAll().execute();
      await executeLater(trx, insert(trx, 'b'));
      return { updated: updated.numUpdatedRows, rows };
    });
    expect(answers).toEqual({ updated: 2n, rows: [ROW] });
    expect(sent).toEqual([
      ['begin', INSERT, 'update `notes` set `note` = ? where `id` = ?'].join(';\n'),
      'select * from `notes`',
      [INSERT, 'commit'].join(';\n'),
    ]);
  });

  it("sends a transaction's settings with its BEGIN and first statement", async () => {
    const { db, sent } = recordingDb();
    await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        await trx.selectFrom('notes').selectAll().forUpdate().execute();
        await executeLater(trx, trx.updateTable('notes').set({ note: 'm' }));
      });
    expect(sent).toEqual([
      ['set transaction isolation level read committed', 'begin', 'select * from `notes` for update'].join(
        ';\n',
      ),
      ['update `notes` set `note` = ?', 'commit'].join(';\n'),
    ]);
  });

  it('sends nothing for a transaction that ran nothing, or threw before anything was sent', async () => {
    const { db, sent } = recordingDb();
    await db.transaction().execute(() => Promise.resolve());
    const failure = new Error('changed its mind');
    await expect(
      db.transaction().execute(async (trx) => {
        await executeLater(trx, insert(trx, 'a'));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(sent).toEqual([]);
  });

  it('rolls back once the server has seen the transaction, also when the batch that opened it failed', async () => {
    const { db, sent } = recordingDb('`notes` (`id`');
    await expect(
      db.transaction().execute(async (trx) => {
        await executeLater(trx, insert(trx, 'a'));
      }),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(sent).toEqual([['begin', INSERT, 'commit'].join(';\n'), 'rollback']);
  });

  it('runs a held write at once outside a transaction', async () => {
    const { db, sent } = recordingDb();
    await executeLater(db, insert(db, 'a'));
    expect(sent).toEqual([INSERT]);
  });
});
