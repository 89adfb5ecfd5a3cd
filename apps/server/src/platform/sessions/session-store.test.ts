import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase, { type Database } from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { ManualClock } from '../../lib/clock';
import { closeRedis, connectRedis } from '../redis';
import { RedisSessionStore } from './redis-session-store';
import { describeSessionStoreContract } from './session-store.contract';
import type { SessionStore } from './session-store.port';
import { SqliteSessionStore } from './sqlite-session-store';

describe('SqliteSessionStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-sessions-'));
  const files = new Map<SessionStore, { db: Database; file: string }>();
  let opened = 0;

  afterAll(() => {
    for (const { db } of files.values()) {
      db.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function openFile(file: string, clock?: ManualClock): { store: SqliteSessionStore; db: Database } {
    const db = new SqliteDatabase(file);
    const store = new SqliteSessionStore(db, clock);
    files.set(store, { db, file });
    return { store, db };
  }

  describeSessionStoreContract('SqliteSessionStore', {
    open: () => {
      opened += 1;
      return Promise.resolve(openFile(path.join(dir, `contract-${opened}.sqlite`)).store);
    },
    reopen: async (store) => {
      const entry = files.get(store);
      if (entry === undefined) {
        throw new Error('unknown store');
      }
      await store.close();
      entry.db.close();
      files.delete(store);
      return openFile(entry.file).store;
    },
  });

  it('a session expires exactly at expiresAt', async () => {
    const clock = new ManualClock();
    const { store } = openFile(path.join(dir, 'exact.sqlite'), clock);
    const now = clock.now();
    await store.create('h', { userId: 'u', role: 'customer', createdAt: now, expiresAt: now + 1000 });
    clock.advance(999);
    expect(await store.get('h')).toEqual({
      userId: 'u',
      role: 'customer',
      createdAt: now,
      expiresAt: now + 1000,
    });
    clock.advance(1);
    expect(await store.get('h')).toBeNull();
  });

  it('creating sessions prunes expired rows every ten minutes', async () => {
    const clock = new ManualClock();
    const { store, db } = openFile(path.join(dir, 'prune.sqlite'), clock);
    const rows = (): number =>
      db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sessions').get()?.n ?? -1;
    const now = clock.now();
    await store.create('old', { userId: 'u', role: 'driver', createdAt: now, expiresAt: now + 1000 });
    clock.advance(60_000);
    await store.create('mid', { userId: 'u', role: 'driver', createdAt: now, expiresAt: now + 120_000 });
    // The first create pruned; the next prune is not due yet, so the expired row stays.
    expect(rows()).toBe(2);
    clock.advance(10 * 60_000);
    await store.create('new', {
      userId: 'u',
      role: 'driver',
      createdAt: clock.now(),
      expiresAt: clock.now() + 3600_000,
    });
    expect(rows()).toBe(1);
  });

  it('prune deletes expired rows and reports how many', async () => {
    const clock = new ManualClock();
    const { store } = openFile(path.join(dir, 'prune-now.sqlite'), clock);
    const now = clock.now();
    await store.create('a', { userId: 'u', role: 'admin', createdAt: now, expiresAt: now + 10 });
    await store.create('b', { userId: 'u', role: 'admin', createdAt: now, expiresAt: now + 20 });
    await store.create('c', { userId: 'u', role: 'admin', createdAt: now, expiresAt: now + 3600_000 });
    clock.advance(20);
    expect(store.prune()).toBe(2);
    expect(await store.revokeAllForUser('u')).toBe(1);
  });

  it('creates its table with an index on user_id', () => {
    const { db } = openFile(path.join(dir, 'schema.sqlite'));
    const indexes = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_index_list('sessions') ORDER BY name")
      .all()
      .map((row) => row.name);
    expect(indexes).toContain('sessions_user_id');
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('sessions') ORDER BY cid")
      .all()
      .map((row) => row.name);
    expect(columns).toEqual(['token_hash', 'user_id', 'role', 'created_at', 'expires_at']);
  });
});

describe.runIf(isCluster)('RedisSessionStore', () => {
  const prefix = uniquePrefix('sessions');
  const prefixes = new Map<SessionStore, string>();
  const extraClients: Redis[] = [];
  let redis: Redis;
  let opened = 0;

  beforeAll(async () => {
    // Unreachable Redis fails here: the cluster tier never skips.
    redis = await connectRedis(redisUrl, 'sessions-test');
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    await Promise.all([redis, ...extraClients].map((client) => closeRedis(client)));
  });

  describeSessionStoreContract('RedisSessionStore', {
    open: () => {
      opened += 1;
      const storePrefix = `${prefix}${opened}:`;
      const store = new RedisSessionStore(redis, storePrefix);
      prefixes.set(store, storePrefix);
      return Promise.resolve(store);
    },
    reopen: async (store) => {
      const storePrefix = prefixes.get(store);
      if (storePrefix === undefined) {
        throw new Error('unknown store');
      }
      await store.close();
      // A new client, as a restarted server would have.
      const client = await connectRedis(redisUrl, 'sessions-test-reopened');
      extraClients.push(client);
      const reopened = new RedisSessionStore(client, storePrefix);
      prefixes.set(reopened, storePrefix);
      return reopened;
    },
  });

  it('keeps a session as JSON at <prefix>sess:<hash> with its expiry', async () => {
    const store = new RedisSessionStore(redis, `${prefix}layout:`);
    const now = Date.now();
    const created = { userId: 'u1', role: 'driver' as const, createdAt: now, expiresAt: now + 60_000 };
    await store.create('h1', created);
    expect(JSON.parse((await redis.get(`${prefix}layout:sess:h1`)) ?? 'null')).toEqual(created);
    const ttl = await redis.pttl(`${prefix}layout:sess:h1`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await redis.smembers(`${prefix}layout:usess:u1`)).toEqual(['h1']);
  });

  it("expires the user's set with the user's longest session", async () => {
    const store = new RedisSessionStore(redis, `${prefix}userset:`);
    const now = Date.now();
    const base = { userId: 'u1', role: 'customer' as const, createdAt: now };
    await store.create('short', { ...base, expiresAt: now + 10 * 60_000 });
    await store.create('long', { ...base, expiresAt: now + 2 * 3600_000 });
    await store.create('shorter', { ...base, expiresAt: now + 5 * 60_000 });
    const ttl = await redis.pttl(`${prefix}userset:usess:u1`);
    expect(ttl).toBeGreaterThan(2 * 3600_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3600_000);
  });

  it('revoke takes the hash out of the user set', async () => {
    const store = new RedisSessionStore(redis, `${prefix}revoke:`);
    const now = Date.now();
    await store.create('h1', { userId: 'u1', role: 'customer', createdAt: now, expiresAt: now + 60_000 });
    await store.create('h2', { userId: 'u1', role: 'customer', createdAt: now, expiresAt: now + 60_000 });
    await store.revoke('h1');
    expect(await redis.smembers(`${prefix}revoke:usess:u1`)).toEqual(['h2']);
  });
});
