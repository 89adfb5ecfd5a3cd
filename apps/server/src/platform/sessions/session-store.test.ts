import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase, { type Database } from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { ManualClock, systemClock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import type { EventBus } from '../bus/event-bus.port';
import { MemoryEventBus } from '../bus/memory-event-bus';
import { RedisEventBus } from '../bus/redis-event-bus';
import { closeRedis, connectRedis } from '../redis';
import { CachedSessionStore } from './cached-session-store';
import { RedisSessionStore } from './redis-session-store';
import { describeSessionStoreContract, type SessionStoreHarness } from './session-store.contract';
import type { SessionStore } from './session-store.port';
import { SqliteSessionStore } from './sqlite-session-store';

const logger = createLogger('silent');

/** SQLite session stores, a file each in one temporary directory; `reopen` opens the same file again. */
class SqliteStores {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-sessions-'));
  private readonly files = new Map<SessionStore, { db: Database; file: string }>();
  private opened = 0;

  readonly harness: SessionStoreHarness = {
    open: () => {
      this.opened += 1;
      return Promise.resolve(this.openFile(path.join(this.dir, `contract-${this.opened}.sqlite`)).store);
    },
    reopen: async (store) => {
      const entry = this.files.get(store);
      if (entry === undefined) {
        throw new Error('unknown store');
      }
      await store.close();
      entry.db.close();
      this.files.delete(store);
      return this.openFile(entry.file).store;
    },
  };

  openFile(file: string, clock?: ManualClock): { store: SqliteSessionStore; db: Database } {
    const db = new SqliteDatabase(file);
    const store = new SqliteSessionStore(db, clock);
    this.files.set(store, { db, file });
    return { store, db };
  }

  remove(): void {
    for (const { db } of this.files.values()) {
      db.close();
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Redis session stores, a key prefix each; `reopen` uses a new client, as a restarted server would. */
class RedisStores {
  readonly prefix: string;
  private readonly prefixes = new Map<SessionStore, string>();
  private readonly clients: Redis[] = [];
  private opened = 0;

  readonly harness: SessionStoreHarness = {
    open: () => {
      this.opened += 1;
      const storePrefix = `${this.prefix}${this.opened}:`;
      const store = new RedisSessionStore(this.redis, storePrefix);
      this.prefixes.set(store, storePrefix);
      return Promise.resolve(store);
    },
    reopen: async (store) => {
      const storePrefix = this.prefixes.get(store);
      if (storePrefix === undefined) {
        throw new Error('unknown store');
      }
      await store.close();
      const client = await connectRedis(redisUrl, 'sessions-test-reopened');
      this.clients.push(client);
      const reopened = new RedisSessionStore(client, storePrefix);
      this.prefixes.set(reopened, storePrefix);
      return reopened;
    },
  };

  constructor(label: string) {
    this.prefix = uniquePrefix(label);
  }

  /** The first client; `connect()` must have run. */
  get redis(): Redis {
    const [client] = this.clients;
    if (client === undefined) {
      throw new Error('RedisStores.connect() has not run');
    }
    return client;
  }

  async connect(): Promise<void> {
    // Unreachable Redis fails here: the cluster tier never skips.
    this.clients.push(await connectRedis(redisUrl, 'sessions-test'));
  }

  async remove(): Promise<void> {
    await deleteKeysByPrefix(this.redis, this.prefix);
    await Promise.all(this.clients.map((client) => closeRedis(client)));
  }
}

describe('SqliteSessionStore', () => {
  const stores = new SqliteStores();
  const { dir } = stores;
  const openFile = stores.openFile.bind(stores);

  afterAll(() => {
    stores.remove();
  });

  describeSessionStoreContract('SqliteSessionStore', stores.harness);

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
  const stores = new RedisStores('sessions');
  const { prefix } = stores;
  let redis: Redis;

  beforeAll(async () => {
    await stores.connect();
    redis = stores.redis;
  });

  afterAll(async () => {
    await stores.remove();
  });

  describeSessionStoreContract('RedisSessionStore', stores.harness);

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

/**
 * Runs CachedSessionStore, as the platform assembles it, over `inner` stores
 * and a bus: each store gets its own inner store; reopening closes both layers
 * and wraps a reopened inner store, as a restarted server would.
 */
function cachedHarness(inner: SessionStoreHarness, bus: () => EventBus): SessionStoreHarness {
  const layers = new Map<SessionStore, SessionStore>();
  const wrap = async (store: SessionStore): Promise<SessionStore> => {
    const cached = new CachedSessionStore({ store, bus: bus(), clock: systemClock, logger });
    await cached.start();
    layers.set(cached, store);
    return cached;
  };
  return {
    open: async () => wrap(await inner.open()),
    reopen: async (cached) => {
      const store = layers.get(cached);
      if (store === undefined) {
        throw new Error('unknown store');
      }
      await cached.close();
      layers.delete(cached);
      return wrap(await inner.reopen(store));
    },
  };
}

describe('CachedSessionStore over SqliteSessionStore and MemoryEventBus', () => {
  const stores = new SqliteStores();
  const bus = new MemoryEventBus({ logger });

  afterAll(async () => {
    await bus.close();
    stores.remove();
  });

  describeSessionStoreContract(
    'CachedSessionStore (SQLite)',
    cachedHarness(stores.harness, () => bus),
  );

  it("a revocation in another process drops this process's cached copy before its ttl", async () => {
    const { store: shared } = stores.openFile(path.join(stores.dir, 'two-processes.sqlite'));
    // The clock stands still, so only the bus message can end the cached copy.
    const clock = new ManualClock();
    const here = new CachedSessionStore({ store: shared, bus, clock, logger });
    const there = new CachedSessionStore({ store: shared, bus, clock, logger });
    await here.start();
    await there.start();
    const now = Date.now();
    await there.create('h', { userId: 'u', role: 'driver', createdAt: now, expiresAt: now + 3600_000 });
    expect(await here.get('h')).toMatchObject({ userId: 'u' });
    await there.revoke('h');
    await waitFor(async () => (await here.get('h')) === null);
    await here.close();
    await there.close();
  });
});

describe.runIf(isCluster)('CachedSessionStore over RedisSessionStore and RedisEventBus', () => {
  const stores = new RedisStores('cached-sessions');
  let bus: RedisEventBus;

  beforeAll(async () => {
    await stores.connect();
    bus = new RedisEventBus(redisUrl, stores.prefix, { logger });
  });

  afterAll(async () => {
    await bus.close();
    await stores.remove();
  });

  describeSessionStoreContract(
    'CachedSessionStore (Redis)',
    cachedHarness(stores.harness, () => bus),
  );
});
