import BetterSqlite from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';
import type { Database, LookupDirectoryTable, UsersTable } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import { GenerationRepository } from './generation.repository';
import { emptyBatch, type ShardBatch } from './chunk-plan';

function user(id: string): UsersTable {
  return {
    id,
    email: `u${id}@example.test`,
    password_hash: '!',
    name: 'Generated Person',
    phone: null,
    role: 'customer',
    status: 'active',
    created_at: 1,
    updated_at: 1,
  };
}

function batchOf(users: UsersTable[]): ShardBatch {
  return { ...emptyBatch(), users };
}

describe('bulk writer', () => {
  let db: Kysely<Database>;
  const repository = new GenerationRepository();

  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite(':memory:') }) });
    // A plain integer column: SQLite would keep a too-large literal as a lossy REAL instead of refusing it.
    await sql`create table users (id integer not null, email text, password_hash text, name text,
      phone text, role text, status text, created_at integer, updated_at integer)`.execute(db);
  });

  afterEach(async () => {
    await db.destroy();
  });

  it('refuses an ID past 2^63-1, as the API does, and writes nothing of the batch', async () => {
    await expect(
      repository.writeBatch(db, 'sqlite', batchOf([user('1'), user('9223372036854775808')])),
    ).rejects.toThrow(new RangeError('not an id: 9223372036854775808'));
    const { rows } = await sql<{ n: number }>`select count(*) as n from users`.execute(db);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('writes the largest ID exactly', async () => {
    await repository.writeBatch(db, 'sqlite', batchOf([user('9223372036854775807')]));
    const { rows } = await sql<{ id: string }>`select cast(id as text) as id from users`.execute(db);
    expect(rows).toEqual([{ id: '9223372036854775807' }]);
  });
});

/** Rows whose text a careless writer would break: separators, escapes, quotes, NUL, NULL-lookalikes. */
const AWKWARD = [
  'O\'Brien "Quote"',
  'tab\there',
  'line\nbreak\r\n',
  'back\\slash\\',
  'nul\0byte',
  '\\N',
  'NULL',
  'ನಮಸ್ಕಾರ 🚚',
];

function awkwardUsers(firstId: bigint): UsersTable[] {
  return AWKWARD.map((name, index) => ({
    ...user(String(firstId + BigInt(index))),
    email: `awkward${index}@example.test`,
    name,
    phone: index % 2 === 0 ? null : `+91 ${name}`,
  }));
}

function lookup(value: string, owner: string): LookupDirectoryTable {
  return { kind: 'email', value, owner_id: owner, created_at: 1 };
}

describe(`bulk writer on a shard (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let shard: Shard;
  // Every ID a test writes is its own: the shard is shared by the tests of this file.
  let nextId = 9_000_000_000_000_000_000n;
  let chunks = 0;
  const ids = (n: number): bigint => {
    const first = nextId;
    nextId += BigInt(n);
    return first;
  };

  beforeAll(async () => {
    env = await TestEnvironment.create('bulkwriter', { shards: 1 });
    app = await env.start({ roles: ['api'] });
    const first = app.platform.router.shards[0];
    if (first === undefined) {
      throw new Error('no shard');
    }
    shard = first;
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function usersFrom(firstId: bigint, n: number): Promise<UsersTable[]> {
    const rows = await shard.db
      .selectFrom('users')
      .select(['email', 'password_hash', 'name', 'phone', 'role', 'status', 'created_at', 'updated_at'])
      .select(sql<string>`cast(id as char)`.as('id'))
      .where(sql<boolean>`id >= ${sql.raw(String(firstId))} and id < ${sql.raw(String(firstId + BigInt(n)))}`)
      .orderBy('id')
      .execute();
    return rows;
  }

  /** One chunk's part as the service writes it: the mark and the rows in one transaction. */
  async function writePart(
    repository: GenerationRepository,
    chunk: number,
    batch: ShardBatch,
    failAfterWrite = false,
  ): Promise<boolean> {
    return shard.db.transaction().execute(async (trx) => {
      const claimed = await repository.mark(trx, shard.dialect, '1', chunk, 'shard:0');
      if (claimed) {
        await repository.writeBatch(trx, shard.dialect, batch);
        if (failAfterWrite) {
          throw new Error('killed after the rows were sent');
        }
      }
      return claimed;
    });
  }

  const writers = isCluster
    ? ([
        ['LOAD DATA', () => new GenerationRepository()],
        ['INSERT', () => new GenerationRepository({ loadData: false })],
      ] as const)
    : ([['INSERT', () => new GenerationRepository()]] as const);

  for (const [how, make] of writers) {
    it(`writes every value exactly, escapes and NULLs included (${how})`, async () => {
      const firstId = ids(AWKWARD.length);
      const rows = awkwardUsers(firstId);
      await make().writeBatch(shard.db, shard.dialect, { ...emptyBatch(), users: rows });
      expect(await usersFrom(firstId, rows.length)).toEqual(rows);
    });

    it(`writes a retried chunk once, and nothing of a try that died before its commit (${how})`, async () => {
      const repository = make();
      chunks += 1;
      const chunk = chunks;
      const firstId = ids(300);
      const batch: ShardBatch = {
        ...emptyBatch(),
        users: Array.from({ length: 300 }, (_, index) => user(String(firstId + BigInt(index)))),
      };
      await expect(writePart(repository, chunk, batch, true)).rejects.toThrow(
        'killed after the rows were sent',
      );
      expect(await usersFrom(firstId, 300)).toHaveLength(0);
      expect(await writePart(repository, chunk, batch)).toBe(true);
      expect(await writePart(repository, chunk, batch)).toBe(false);
      expect(await usersFrom(firstId, 300)).toHaveLength(300);
    });

    it(`fails the whole batch on a duplicate ID, and keeps a directory entry's first holder (${how})`, async () => {
      const repository = make();
      const firstId = ids(2);
      const taken = `taken-${firstId}@example.test`;
      await repository.writeBatch(shard.db, shard.dialect, {
        ...emptyBatch(),
        lookups: [lookup(taken, String(firstId))],
      });
      await repository.writeBatch(shard.db, shard.dialect, {
        ...emptyBatch(),
        lookups: [
          lookup(taken, String(firstId + 1n)),
          lookup(`free-${firstId}@example.test`, String(firstId + 1n)),
        ],
      });
      const owners = await shard.db
        .selectFrom('lookup_directory')
        .select(['value', sql<string>`cast(owner_id as char)`.as('owner')])
        .where('value', 'in', [taken, `free-${firstId}@example.test`])
        .orderBy('value')
        .execute();
      expect(owners).toEqual([
        { value: `free-${firstId}@example.test`, owner: String(firstId + 1n) },
        { value: taken, owner: String(firstId) },
      ]);

      const duplicate = ids(1);
      await expect(
        shard.db.transaction().execute((trx) =>
          repository.writeBatch(trx, shard.dialect, {
            ...emptyBatch(),
            users: [user(String(duplicate)), user(String(duplicate))],
          }),
        ),
      ).rejects.toThrow();
      expect(await usersFrom(duplicate, 1)).toHaveLength(0);
    });

    it(`refuses an ID past 2^63-1 and writes nothing of the batch (${how})`, async () => {
      const firstId = ids(1);
      await expect(
        shard.db.transaction().execute((trx) =>
          make().writeBatch(trx, shard.dialect, {
            ...emptyBatch(),
            users: [user(String(firstId)), user('9223372036854775808')],
          }),
        ),
      ).rejects.toThrow('not an id: 9223372036854775808');
      expect(await usersFrom(firstId, 1)).toHaveLength(0);
    });
  }

  it.runIf(isCluster)('falls back to INSERT, once, when the server refuses LOAD DATA LOCAL', async () => {
    const url = new URL(env.env.DATABASE_SHARDS?.split(',')[0] ?? '');
    // A client that does not offer local files: the server refuses the statement as it would with local_infile off.
    const pool = createPool({
      host: url.hostname,
      port: url.port === '' ? 3306 : Number(url.port),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      flags: ['-LOCAL_FILES'],
      supportBigNumbers: true,
    });
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
    const refusals: unknown[] = [];
    const repository = new GenerationRepository({ onLoadDataRefused: (error) => refusals.push(error) });
    try {
      const firstId = ids(4);
      const rows = awkwardUsers(firstId).slice(0, 4);
      await db.transaction().execute(async (trx) => {
        await repository.writeBatch(trx, 'mysql', { ...emptyBatch(), users: rows.slice(0, 2) });
        await repository.writeBatch(trx, 'mysql', { ...emptyBatch(), users: rows.slice(2) });
      });
      expect(await usersFrom(firstId, 4)).toEqual(rows);
      expect(refusals).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });
});
