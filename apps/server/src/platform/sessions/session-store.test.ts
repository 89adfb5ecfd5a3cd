import { Redis as StandaloneRedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, redisUrl, tier, uniquePrefix } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { ManualClock, systemClock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import type { EventBus } from '../bus/event-bus.port';
import { MemoryEventBus } from '../bus/memory-event-bus';
import { RedisEventBus } from '../bus/redis-event-bus';
import { IdGenerator } from '../db/ids';
import { loadShardMap, migrateShards } from '../db/migrate';
import { ShardRouter } from '../db/shard-router';
import type { ShardPool } from '../db/shard-pool';
import { createShardPool } from '../platform';
import { closeRedis, connectRedis, type RedisClient } from '../redis';
import { CachedSessionStore } from './cached-session-store';
import { RedisSessionStore } from './redis-session-store';
import { describeSessionStoreContract, type SessionStoreHarness } from './session-store.contract';
import type { DurableSessionStore, Session, SessionKey, SessionStore } from './session-store.port';
import { SqlSessionStore } from './sql-session-store';

const logger = createLogger('silent');
const ids = new IdGenerator(1);
const hour = 3600_000;

/**
 * The `sessions` table on two shards of this tier (SQLite files embedded, MySQL
 * databases in a cluster); `reopen` opens the shards again, as a restarted
 * server would.
 */
class SqlShards {
  private env: TestEnvironment | null = null;
  private readonly pools: ShardPool[] = [];
  private current: ShardRouter | null = null;

  readonly harness: SessionStoreHarness = {
    open: () => Promise.resolve(new SqlSessionStore(this.router)),
    reopen: async (store) => {
      await store.close();
      return new SqlSessionStore(await this.openRouter());
    },
    loseCache: (store) => Promise.resolve(store),
  };

  get router(): ShardRouter {
    if (this.current === null) {
      throw new Error('SqlShards.start() has not run');
    }
    return this.current;
  }

  async start(label: string): Promise<void> {
    this.env = await TestEnvironment.create(label, { shards: 2 });
    this.current = await this.openRouter();
  }

  /** Opens the shards again (a new pool and shard map); the first call also migrates them. */
  async openRouter(): Promise<ShardRouter> {
    if (this.env === null) {
      throw new Error('SqlShards.start() has not run');
    }
    const pool = createShardPool(this.env.config());
    this.pools.push(pool);
    if (this.pools.length === 1) {
      await migrateShards(pool);
    }
    this.current = new ShardRouter(pool, await loadShardMap(pool));
    return this.current;
  }

  /** How many of these token hashes have a row, on any shard. */
  async rows(hashes: readonly string[]): Promise<number> {
    let count = 0;
    for (const shard of this.router.shards) {
      const row = await shard.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('token_hash', 'in', hashes)
        .executeTakeFirst();
      count += row?.n ?? 0;
    }
    return count;
  }

  async remove(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
    await this.env?.destroy();
  }
}

/** Redis caches over the SQL shards, a key prefix each; `reopen` uses a new client, as a restarted server would. */
class RedisStores {
  readonly prefix: string;
  private readonly prefixes = new Map<SessionStore, string>();
  private readonly clients: RedisClient[] = [];
  private opened = 0;

  readonly harness: SessionStoreHarness = {
    open: () => {
      this.opened += 1;
      return Promise.resolve(this.store(`${this.prefix}${this.opened}:`));
    },
    reopen: async (store) => {
      const storePrefix = this.prefixOf(store);
      await store.close();
      const client = await connectRedis(redisUrl, 'sessions-test-reopened');
      this.clients.push(client);
      return this.store(storePrefix, { redis: client, durable: new SqlSessionStore(this.sql.router) });
    },
    loseCache: async (store) => {
      await deleteKeysByPrefix(this.redis, this.prefixOf(store));
      return store;
    },
  };

  constructor(
    label: string,
    private readonly sql: SqlShards,
  ) {
    this.prefix = uniquePrefix(label);
  }

  /** The first client; `connect()` must have run. */
  get redis(): RedisClient {
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

  /** A store under `storePrefix`, over the SQL shards unless told otherwise. */
  store(
    storePrefix: string,
    overrides: {
      redis?: RedisClient;
      durable?: DurableSessionStore;
      clock?: ManualClock;
      cacheTtlMs?: number;
    } = {},
  ): RedisSessionStore {
    const store = new RedisSessionStore({
      redis: overrides.redis ?? this.redis,
      prefix: storePrefix,
      durable: overrides.durable ?? new SqlSessionStore(this.sql.router, overrides.clock),
      logger,
      ...(overrides.clock === undefined ? {} : { clock: overrides.clock }),
      ...(overrides.cacheTtlMs === undefined ? {} : { cacheTtlMs: overrides.cacheTtlMs }),
    });
    this.prefixes.set(store, storePrefix);
    return store;
  }

  async remove(): Promise<void> {
    await deleteKeysByPrefix(this.redis, this.prefix);
    await Promise.all(this.clients.map((client) => closeRedis(client)));
  }

  private prefixOf(store: SessionStore): string {
    const storePrefix = this.prefixes.get(store);
    if (storePrefix === undefined) {
      throw new Error('unknown store');
    }
    return storePrefix;
  }
}

function liveSession(userId: string, now = Date.now(), ttlMs = hour): Session {
  return { userId, role: 'customer', createdAt: now, expiresAt: now + ttlMs };
}

/** A store of record that counts its reads and can hold a read or a create halfway. */
class ObservedStore implements DurableSessionStore {
  reads = 0;
  /** Awaited after the row is read and before the answer goes back. */
  afterRead: (() => Promise<void>) | null = null;
  /** Awaited after the row is written and before `create` returns. */
  afterCreate: (() => Promise<void>) | null = null;

  constructor(private readonly inner: DurableSessionStore) {}

  /** Holds the next read after the row is read: `reached` once it is there, until `release()`. */
  holdNextRead(): { reached: Promise<void>; release: () => void } {
    let release: () => void = () => undefined;
    let arrive: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    this.afterRead = () => {
      this.afterRead = null;
      arrive();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    return { reached, release: () => release() };
  }

  async create(tokenHash: string, session: Session): Promise<void> {
    await this.inner.create(tokenHash, session);
    await this.afterCreate?.();
  }

  async get(key: SessionKey): Promise<Session | null> {
    this.reads += 1;
    const session = await this.inner.get(key);
    await this.afterRead?.();
    return session;
  }

  revoke(key: SessionKey): Promise<void> {
    return this.inner.revoke(key);
  }

  revokeAllForUser(userId: string): Promise<number> {
    return this.inner.revokeAllForUser(userId);
  }

  revokeAllForUserListed(userId: string): Promise<string[]> {
    return this.inner.revokeAllForUserListed(userId);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe(`SqlSessionStore (${tier})`, () => {
  const shards = new SqlShards();

  beforeAll(async () => {
    await shards.start('sql-sessions');
  });

  afterAll(async () => {
    await shards.remove();
  });

  describeSessionStoreContract('SqlSessionStore', shards.harness);

  it("keeps a session on its user's shard, under the token hash", async () => {
    const userId = ids.next(4000);
    const store = new SqlSessionStore(shards.router);
    await store.create('placed', liveSession(userId));
    const home = shards.router.forId(userId);
    for (const shard of shards.router.shards) {
      const row = await shard.db
        .selectFrom('sessions')
        .select(['user_id', 'role'])
        .where('token_hash', '=', 'placed')
        .executeTakeFirst();
      expect(row === undefined ? null : { userId: row.user_id, role: row.role }).toEqual(
        shard === home ? { userId, role: 'customer' } : null,
      );
    }
  });

  it('a session expires exactly at expiresAt', async () => {
    const clock = new ManualClock(Date.now());
    const store = new SqlSessionStore(shards.router, clock);
    const userId = ids.next(7);
    const now = clock.now();
    await store.create('exact', { userId, role: 'customer', createdAt: now, expiresAt: now + 1000 });
    clock.advance(999);
    expect(await store.get({ userId, tokenHash: 'exact' })).toEqual({
      userId,
      role: 'customer',
      createdAt: now,
      expiresAt: now + 1000,
    });
    clock.advance(1);
    expect(await store.get({ userId, tokenHash: 'exact' })).toBeNull();
  });

  it('expired sessions are deleted: on a shard when a session is created there, at most every ten minutes', async () => {
    const clock = new ManualClock(Date.now());
    const hashes = ['old', 'mid', 'new'];
    const store = new SqlSessionStore(shards.router, clock);
    // Both users on one shard: logical shard 1 and 2 share a range.
    const [first, second] = [ids.next(1), ids.next(2)];
    const now = clock.now();
    await store.create('old', liveSession(first, now, 1000));
    clock.advance(60_000);
    await store.create('mid', liveSession(second, now, 120_000));
    // The first create pruned; the next prune is not due yet, so the expired row stays.
    expect(await shards.rows(hashes)).toBe(2);
    clock.advance(10 * 60_000);
    await store.create('new', liveSession(first, clock.now()));
    expect(await shards.rows(hashes)).toBe(1);
  });

  it('prune deletes expired rows on every shard and reports how many', async () => {
    const clock = new ManualClock(Date.now());
    const store = new SqlSessionStore(shards.router, clock);
    await store.prune();
    const [here, there] = [ids.next(0), ids.next(4095)];
    expect(shards.router.forId(here)).not.toBe(shards.router.forId(there));
    const now = clock.now();
    await store.create('p-a', liveSession(here, now, 10));
    await store.create('p-b', liveSession(there, now, 20));
    await store.create('p-c', liveSession(there, now, hour));
    clock.advance(20);
    expect(await store.prune()).toBe(2);
    expect(await store.revokeAllForUser(there)).toBe(1);
  });
});

describe.runIf(isCluster)('RedisSessionStore over SqlSessionStore', () => {
  const shards = new SqlShards();
  const stores = new RedisStores('sessions', shards);
  const { prefix } = stores;
  let redis: RedisClient;

  beforeAll(async () => {
    await shards.start('redis-sessions');
    await stores.connect();
    redis = stores.redis;
  });

  afterAll(async () => {
    await stores.remove();
    await shards.remove();
  });

  describeSessionStoreContract('RedisSessionStore', stores.harness);

  it('caches a session as JSON at <prefix>session:<hash> until its expiry, at most cacheTtlMs', async () => {
    const store = stores.store(`${prefix}layout:`, { cacheTtlMs: 30_000 });
    const userId = ids.next(11);
    const now = Date.now();
    const long = { userId, role: 'driver' as const, createdAt: now, expiresAt: now + hour };
    const short = { ...long, expiresAt: now + 10_000 };
    await store.create('long', long);
    await store.create('short', short);
    expect(JSON.parse((await redis.get(`${prefix}layout:session:long`)) ?? 'null')).toEqual(long);
    const longTtl = await redis.pttl(`${prefix}layout:session:long`);
    expect(longTtl).toBeGreaterThan(25_000);
    expect(longTtl).toBeLessThanOrEqual(30_000);
    const shortTtl = await redis.pttl(`${prefix}layout:session:short`);
    expect(shortTtl).toBeGreaterThan(5_000);
    expect(shortTtl).toBeLessThanOrEqual(10_000);
  });

  it('a warm session is answered from Redis: no read of the store of record per lookup', async () => {
    const durable = new ObservedStore(new SqlSessionStore(shards.router));
    const store = stores.store(`${prefix}warm:`, { durable });
    const key = { userId: ids.next(12), tokenHash: 'warm' };
    await store.create(key.tokenHash, liveSession(key.userId));
    for (let lookup = 0; lookup < 100; lookup += 1) {
      expect(await store.get(key)).not.toBeNull();
    }
    expect(durable.reads).toBe(0);

    await deleteKeysByPrefix(redis, `${prefix}warm:`);
    for (let lookup = 0; lookup < 100; lookup += 1) {
      expect(await store.get(key)).not.toBeNull();
    }
    // One miss after Redis lost its data, then the copy it cached.
    expect(durable.reads).toBe(1);
  });

  it('a lookup that read the session before it was revoked does not cache it', async () => {
    const durable = new ObservedStore(new SqlSessionStore(shards.router));
    const store = stores.store(`${prefix}race:`, { durable });
    const key = { userId: ids.next(13), tokenHash: 'race' };
    await store.create(key.tokenHash, liveSession(key.userId));
    await redis.del(`${prefix}race:session:race`);
    const held = durable.holdNextRead();
    const lookup = store.get(key);
    await held.reached;
    await store.revoke(key);
    held.release();
    // The lookup answers what it read, but leaves nothing behind.
    expect(await lookup).not.toBeNull();
    expect(await store.get(key)).toBeNull();
    expect(await redis.get(`${prefix}race:session:race`)).toBe('revoked');
  });

  it('a revoke-all that lands between a sign-in and its cache write stays in force', async () => {
    const durable = new ObservedStore(new SqlSessionStore(shards.router));
    const store = stores.store(`${prefix}signin-race:`, { durable });
    const userId = ids.next(14);
    durable.afterCreate = async () => {
      durable.afterCreate = null;
      expect(await store.revokeAllForUser(userId)).toBe(1);
    };
    await store.create('signin', liveSession(userId));
    expect(await store.get({ userId, tokenHash: 'signin' })).toBeNull();
  });

  it('reads go to the store of record while Redis does not answer', async () => {
    const down = new StandaloneRedis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    try {
      const sql = new SqlSessionStore(shards.router);
      const userId = ids.next(15);
      await sql.create('offline', liveSession(userId));
      const store = stores.store(`${prefix}down:`, { redis: down, durable: sql });
      expect(await store.get({ userId, tokenHash: 'offline' })).toMatchObject({ userId });
      expect(await store.get({ userId, tokenHash: 'unknown' })).toBeNull();
    } finally {
      down.disconnect();
    }
  });
});

/**
 * Runs CachedSessionStore, as the platform assembles it, over `inner` stores
 * and a bus: each store gets its own inner store; reopening (and losing the
 * cache) closes the in-process layer and wraps the inner store anew, as a
 * restarted server would.
 */
function cachedHarness(inner: SessionStoreHarness, bus: () => EventBus): SessionStoreHarness {
  const layers = new Map<SessionStore, SessionStore>();
  const wrap = async (store: SessionStore): Promise<SessionStore> => {
    const cached = new CachedSessionStore({ store, bus: bus(), clock: systemClock, logger });
    await cached.start();
    layers.set(cached, store);
    return cached;
  };
  const innerOf = async (cached: SessionStore): Promise<SessionStore> => {
    const store = layers.get(cached);
    if (store === undefined) {
      throw new Error('unknown store');
    }
    await cached.close();
    layers.delete(cached);
    return store;
  };
  return {
    open: async () => wrap(await inner.open()),
    reopen: async (cached) => wrap(await inner.reopen(await innerOf(cached))),
    loseCache: async (cached) => wrap(await inner.loseCache(await innerOf(cached))),
  };
}

describe(`CachedSessionStore over SqlSessionStore and MemoryEventBus (${tier})`, () => {
  const shards = new SqlShards();
  const bus = new MemoryEventBus({ logger });

  beforeAll(async () => {
    await shards.start('cached-sql-sessions');
  });

  afterAll(async () => {
    await bus.close();
    await shards.remove();
  });

  describeSessionStoreContract(
    'CachedSessionStore (SQL)',
    cachedHarness(shards.harness, () => bus),
  );

  it("a revocation in another process drops this process's cached copy before its ttl", async () => {
    const shared = new SqlSessionStore(shards.router);
    // The clock stands still, so only the bus message can end the cached copy.
    const clock = new ManualClock(Date.now());
    const here = new CachedSessionStore({ store: shared, bus, clock, logger });
    const there = new CachedSessionStore({ store: shared, bus, clock, logger });
    await here.start();
    await there.start();
    const key = { userId: ids.next(21), tokenHash: 'two-processes' };
    await there.create(key.tokenHash, liveSession(key.userId));
    expect(await here.get(key)).toMatchObject({ userId: key.userId });
    await there.revoke(key);
    await waitFor(async () => (await here.get(key)) === null);
    await here.close();
    await there.close();
  });

  it('a lookup that read the session before a revocation here does not keep a copy', async () => {
    const durable = new ObservedStore(new SqlSessionStore(shards.router));
    const clock = new ManualClock(Date.now());
    const here = new CachedSessionStore({ store: durable, bus, clock, logger });
    await here.start();
    const key = { userId: ids.next(22), tokenHash: 'cached-race' };
    await here.create(key.tokenHash, liveSession(key.userId));
    const held = durable.holdNextRead();
    const lookup = here.get(key);
    await held.reached;
    await here.revoke(key);
    held.release();
    expect(await lookup).not.toBeNull();
    expect(await here.get(key)).toBeNull();
    await here.close();
  });
});

describe.runIf(isCluster)('CachedSessionStore over RedisSessionStore and RedisEventBus', () => {
  const shards = new SqlShards();
  const stores = new RedisStores('cached-sessions', shards);
  let bus: RedisEventBus;

  beforeAll(async () => {
    await shards.start('cached-redis-sessions');
    await stores.connect();
    bus = new RedisEventBus(redisUrl, stores.prefix, { logger });
  });

  afterAll(async () => {
    await bus.close();
    await stores.remove();
    await shards.remove();
  });

  describeSessionStoreContract(
    'CachedSessionStore (Redis)',
    cachedHarness(stores.harness, () => bus),
  );
});
