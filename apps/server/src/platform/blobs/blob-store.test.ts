import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment } from '../../../test/support/test-env';
import { IdGenerator } from '../db/ids';
import { loadShardMap, migrateShards } from '../db/migrate';
import type { ShardPool } from '../db/shard-pool';
import { ShardRouter } from '../db/shard-router';
import { createShardPool } from '../platform';
import { describeBlobStoreContract } from './blob-store.contract';
import { FileBlobStore } from './file-blob-store';
import { SqlBlobStore } from './sql-blob-store';

const directories: string[] = [];
function freshDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-blobs-'));
  directories.push(dir);
  return path.join(dir, 'blobs');
}
afterAll(() => {
  for (const dir of directories) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describeBlobStoreContract(
  'FileBlobStore',
  () => Promise.resolve(new FileBlobStore(freshDirectory())),
  (store) => {
    if (!(store instanceof FileBlobStore)) {
      throw new Error('not a file store');
    }
    return Promise.resolve(new FileBlobStore(store.directory));
  },
);

describe('FileBlobStore', () => {
  it('writes files only its own user can read, and refuses a key that is not an id', async () => {
    const dir = freshDirectory();
    const store = new FileBlobStore(dir);
    const id = new IdGenerator(2).next(5);
    await store.put(id, { contentType: 'image/png', bytes: Buffer.from('x') });
    const folder = path.join(dir, id.slice(-2));
    const [name] = fs.readdirSync(folder);
    expect(fs.statSync(path.join(folder, name ?? '')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    await expect(
      store.put('../../etc/passwd', { contentType: 'image/png', bytes: Buffer.from('x') }),
    ).rejects.toThrow(RangeError);
  });

  it("a put of another type leaves only the new type's file", async () => {
    const dir = freshDirectory();
    const store = new FileBlobStore(dir);
    const id = new IdGenerator(2).next(6);
    await store.put(id, { contentType: 'image/jpeg', bytes: Buffer.from('old') });
    await store.put(id, { contentType: 'image/webp', bytes: Buffer.from('new') });
    expect(fs.readdirSync(path.join(dir, id.slice(-2)))).toEqual([`${id}.image_webp`]);
  });
});

/** The `blobs` table on two shards of this tier: SQLite files embedded, MySQL databases in a cluster. */
describe('SqlBlobStore', () => {
  let env: TestEnvironment;
  const pools: ShardPool[] = [];
  async function openRouter(): Promise<ShardRouter> {
    const pool = createShardPool(env.config());
    pools.push(pool);
    await migrateShards(pool);
    return new ShardRouter(pool, await loadShardMap(pool));
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('blobs', { shards: 2 });
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await env.destroy();
  });

  describeBlobStoreContract(
    'SqlBlobStore',
    async () => new SqlBlobStore(await openRouter()),
    async () => new SqlBlobStore(await openRouter()),
  );
});
