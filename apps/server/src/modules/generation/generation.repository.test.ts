import BetterSqlite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, UsersTable } from '../../platform/db/schema';
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
