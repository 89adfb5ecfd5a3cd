import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, mysqlBaseUrl } from '../../../test/support/tier';
import { formatQuery, MysqlShardPool } from './mysql-shard-pool';
import { describeShardPoolContract } from './shard-pool.contract';
import { SqliteShardPool } from './sqlite-shard-pool';

describe('formatQuery (MySQL shards)', () => {
  it('binds decimal ID strings as BIGINT and every other value as mysql2 escapes it', () => {
    expect(
      formatQuery('select ? as id, ? as phone, ? as note, ? as big', [
        '1234567890123456782',
        '9876543210',
        "it's",
        '9999999999999999999',
      ]),
    ).toBe(
      "select 1234567890123456782 as id, '9876543210' as phone, 'it\\'s' as note, '9999999999999999999' as big",
    );
    expect(formatQuery('select 1', [])).toBe('select 1');
  });
});

describe('SqliteShardPool', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-shard-pool-'));
  let unreachable = 0;

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describeShardPoolContract('SqliteShardPool', {
    dialect: 'sqlite',
    open: () => Promise.resolve(new SqliteShardPool(path.join(root, 'shards'), 2)),
    openWithUnreachableShard: () => {
      unreachable += 1;
      const dataDir = path.join(root, `unreachable-${unreachable}`);
      const pool = new SqliteShardPool(dataDir, 2);
      // A directory where shard 1's file belongs: that file cannot be opened, shard 0's can.
      fs.mkdirSync(path.join(dataDir, 'shard-1.sqlite'));
      return Promise.resolve(pool);
    },
  });

  it('a shard whose file could not be opened answers once it can be', async () => {
    const dataDir = path.join(root, 'recovers');
    const pool = new SqliteShardPool(dataDir, 2);
    const blocker = path.join(dataDir, 'shard-1.sqlite');
    fs.mkdirSync(blocker);
    const shard = pool.shards[1];
    if (shard === undefined) {
      throw new Error('two shards expected');
    }
    await expect(pool.ping(shard)).rejects.toMatchObject({ status: 503, code: 'unavailable' });
    fs.rmdirSync(blocker);
    await expect(pool.ping(shard)).resolves.toBeUndefined();
    await pool.close();
  });
});

describe.runIf(isCluster)('MysqlShardPool', () => {
  let env: TestEnvironment;
  let urls: string[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('shardpool', { shards: 2 });
    urls = (env.env.DATABASE_SHARDS ?? '').split(',');
  });

  afterAll(async () => {
    await env.destroy();
  });

  describeShardPoolContract('MysqlShardPool', {
    dialect: 'mysql',
    open: () => Promise.resolve(new MysqlShardPool({ urls, connectionsPerShard: 2 })),
    openWithUnreachableShard: () => {
      // Nothing listens on port 1.
      const nowhere = new URL(mysqlBaseUrl);
      nowhere.port = '1';
      nowhere.pathname = '/unreachable';
      return Promise.resolve(
        new MysqlShardPool({ urls: [urls[0] ?? '', nowhere.toString()], connectionsPerShard: 2 }),
      );
    },
  });
});
