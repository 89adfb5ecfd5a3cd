import path from 'node:path';
import type { Config } from '../config/config';
import { ListCache } from './cache/list-cache';
import { systemClock, type Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { EventBus } from './bus/event-bus.port';
import { MemoryEventBus } from './bus/memory-event-bus';
import { RedisEventBus } from './bus/redis-event-bus';
import type { Cache } from './cache/cache.port';
import { MemoryCache } from './cache/memory-cache';
import { RedisCache } from './cache/redis-cache';
import { IdGenerator } from './db/ids';
import { loadShardMap, migrateShards } from './db/migrate';
import { ShardMapFollower } from './db/resharding/shard-map-follower';
import type { BlobStore } from './blobs/blob-store.port';
import { FileBlobStore } from './blobs/file-blob-store';
import { SqlBlobStore } from './blobs/sql-blob-store';
import { MysqlShardPool } from './db/mysql-shard-pool';
import { NodeLease } from './db/node-lease';
import { openPrivateSqlite, privateDirectory } from './db/private-files';
import { ShardRouter } from './db/shard-router';
import type { ShardPool } from './db/shard-pool';
import { SqliteShardPool } from './db/sqlite-shard-pool';
import type { FleetBoard } from './fleet/fleet-board.port';
import { MemoryFleetBoard } from './fleet/memory-fleet-board';
import { RedisFleetBoard } from './fleet/redis-fleet-board';
import type { GeoIndex } from './geo/geo-index.port';
import { MemoryGeoIndex } from './geo/memory-geo-index';
import { RedisGeoIndex } from './geo/redis-geo-index';
import type { LiveStateStore } from './live/live-state.port';
import { MemoryLiveState } from './live/memory-live-state';
import { RedisLiveState } from './live/redis-live-state';
import { OutboxRelay, OutboxWriter } from './outbox/outbox';
import { BullmqJobQueue } from './queue/bullmq-job-queue';
import type { JobQueue } from './queue/job-queue.port';
import { LocalJobQueue } from './queue/local-job-queue';
import { RateLimiter } from './rate-limit/rate-limiter';
import { closeRedis, createRedis, type RedisClient } from './redis';
import type { SessionStore } from './sessions/session-store.port';
import { CachedSessionStore } from './sessions/cached-session-store';
import { RedisSessionStore } from './sessions/redis-session-store';
import { SqlSessionStore } from './sessions/sql-session-store';

/** Everything infrastructural a process needs, with the adapters its run mode calls for. */
export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pool: ShardPool;
  readonly router: ShardRouter;
  readonly ids: IdGenerator;
  readonly cache: Cache;
  readonly sessions: SessionStore;
  readonly geo: GeoIndex;
  readonly bus: EventBus;
  readonly queue: JobQueue;
  readonly fleet: FleetBoard;
  /** Drivers' live facts and positions, with the one-step location ping (ADR 0026). */
  readonly live: LiveStateStore;
  /** Proof-of-delivery files: under DATA_DIR (embedded), on the shards (cluster); ADR 0025. */
  readonly blobs: BlobStore;
  readonly outbox: OutboxWriter;
  readonly relay: OutboxRelay;
  readonly rateLimiter: RateLimiter;
  /** Cache-aside for admin list pages, dropped per list on writes. */
  readonly lists: ListCache;
  /** Names of the dependencies that do not answer right now (empty when ready). */
  unreachable(): Promise<string[]>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  clock?: Clock;
  /** Apply migrations before loading the shard map (default true; idempotent and locked per shard). */
  migrate?: boolean;
}

/** Opens every adapter for the configured mode; the caller owns `close()`. */
export async function createPlatform(
  config: Config,
  logger: Logger,
  options: PlatformOptions = {},
): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<void>)[] = [];
  try {
    return config.mode === 'cluster'
      ? await clusterPlatform(config, logger, clock, options, closers)
      : await embeddedPlatform(config, logger, clock, options, closers);
  } catch (error) {
    await closeAll(closers, logger);
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      logger.warn({ err: error }, 'error while closing a platform resource');
    }
  }
  closers.length = 0;
}

/** The configured shards: SQLite files in embedded mode, MySQL databases in cluster mode. */
export function createShardPool(config: Config): ShardPool {
  return config.mode === 'cluster'
    ? new MysqlShardPool({
        urls: config.databaseShards,
        connectionsPerShard: config.databasePoolSize,
        timeouts: { queryMs: config.databaseQueryTimeoutMs, longQueryMs: config.databaseLongQueryTimeoutMs },
      })
    : new SqliteShardPool(config.dataDir, config.embeddedShards);
}

async function shardMapFor(pool: ShardPool, migrate: boolean): Promise<ShardRouter> {
  if (migrate) {
    await migrateShards(pool);
  }
  return new ShardRouter(pool, await loadShardMap(pool));
}

async function embeddedPlatform(
  config: Config,
  logger: Logger,
  clock: Clock,
  options: PlatformOptions,
  closers: (() => Promise<void>)[],
): Promise<Platform> {
  privateDirectory(config.dataDir);
  const pool = createShardPool(config);
  closers.push(() => pool.close());
  const router = await shardMapFor(pool, options.migrate ?? true);

  const queueDb = openPrivateSqlite(path.join(config.dataDir, 'queue.sqlite'));
  closers.push(() => {
    queueDb.close();
    return Promise.resolve();
  });

  const cache = new MemoryCache({ clock });
  const sessions = new SqlSessionStore(router, clock);
  const geo = new MemoryGeoIndex();
  const bus = new MemoryEventBus({ logger: logger.child({ module: 'bus' }) });
  const queue = new LocalJobQueue(queueDb, { clock, logger: logger.child({ module: 'queue' }) });
  const live = new MemoryLiveState(geo, clock);
  // Closed in reverse: the queue first, so running jobs still have the cache, bus, sessions and live state.
  closers.push(
    () => cache.close(),
    () => geo.close(),
    () => live.close(),
    () => bus.close(),
    () => sessions.close(),
    () => queue.close(),
  );

  return assemble({
    config,
    logger,
    clock,
    pool,
    router,
    ids: new IdGenerator(config.nodeId ?? 0),
    cache,
    sessions,
    geo,
    bus,
    queue,
    fleet: new MemoryFleetBoard(clock),
    live,
    blobs: new FileBlobStore(path.join(config.dataDir, 'blobs')),
    closers,
    unreachable: async () => shardFailures(pool),
  });
}

async function clusterPlatform(
  config: Config,
  logger: Logger,
  clock: Clock,
  options: PlatformOptions,
  closers: (() => Promise<void>)[],
): Promise<Platform> {
  const redisUrl = config.redisUrl;
  if (redisUrl === null) {
    throw new Error('cluster mode needs REDIS_URL');
  }
  const pool = createShardPool(config);
  closers.push(() => pool.close());
  const router = await shardMapFor(pool, options.migrate ?? true);

  const redis: RedisClient = createRedis(redisUrl, 'loadline-main', {
    logger: logger.child({ module: 'redis' }),
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  closers.push(() => closeRedis(redis));
  await redis.ping();
  const lease = config.nodeId === null ? await NodeLease.acquire(redis, config.redisPrefix, logger) : null;
  if (lease !== null) {
    closers.push(() => lease.release());
  }

  const cache = new RedisCache(redis, config.redisPrefix);
  const durableSessions = new SqlSessionStore(router, clock);
  const sessions = new RedisSessionStore({
    redis,
    prefix: config.redisPrefix,
    durable: durableSessions,
    logger: logger.child({ module: 'sessions' }),
    clock,
  });
  const geo = new RedisGeoIndex(redis, config.redisPrefix);
  const bus = new RedisEventBus(redisUrl, config.redisPrefix, {
    logger: logger.child({ module: 'bus' }),
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  const follower = new ShardMapFollower({
    pool,
    router,
    bus,
    clock,
    logger: logger.child({ module: 'shard-map' }),
  });
  const queue = new BullmqJobQueue({
    url: redisUrl,
    prefix: config.redisPrefix,
    logger: logger.child({ module: 'queue' }),
    leaseMs: config.jobLeaseMs,
  });
  const live = new RedisLiveState(redis, config.redisPrefix);
  // Closed in reverse: the queue first, so running jobs still have the bus, sessions and live state.
  closers.push(
    () => live.close(),
    () => durableSessions.close(),
    () => sessions.close(),
    () => bus.close(),
    () => follower.stop(),
    () => queue.close(),
  );
  await follower.start();

  return assemble({
    config,
    logger,
    clock,
    pool,
    router,
    ids: new IdGenerator(lease ?? config.nodeId ?? 0),
    cache,
    sessions,
    geo,
    bus,
    queue,
    fleet: new RedisFleetBoard(redis, config.redisPrefix),
    live,
    blobs: new SqlBlobStore(router, clock),
    closers,
    unreachable: async () => {
      const failing = await shardFailures(pool);
      try {
        await cache.ping();
      } catch {
        failing.push('redis');
      }
      if (lease !== null && lease.node === null) {
        failing.push('id_node');
      }
      return failing;
    },
  });
}

async function shardFailures(pool: ShardPool): Promise<string[]> {
  const results = await Promise.allSettled(pool.shards.map((shard) => pool.ping(shard)));
  return pool.shards.filter((_, index) => results[index]?.status === 'rejected').map((shard) => shard.label);
}

interface Parts {
  config: Config;
  logger: Logger;
  clock: Clock;
  pool: ShardPool;
  router: ShardRouter;
  ids: IdGenerator;
  cache: Cache;
  sessions: SessionStore;
  geo: GeoIndex;
  bus: EventBus;
  queue: JobQueue;
  fleet: FleetBoard;
  live: LiveStateStore;
  blobs: BlobStore;
  closers: (() => Promise<void>)[];
  unreachable: () => Promise<string[]>;
}

async function assemble(parts: Parts): Promise<Platform> {
  const relay = new OutboxRelay({
    shards: parts.pool.shards,
    queue: parts.queue,
    clock: parts.clock,
    logger: parts.logger.child({ module: 'outbox' }),
  });
  const sessions = new CachedSessionStore({
    store: parts.sessions,
    bus: parts.bus,
    clock: parts.clock,
    logger: parts.logger.child({ module: 'sessions' }),
  });
  await sessions.start();
  let closed = false;
  return {
    config: parts.config,
    logger: parts.logger,
    clock: parts.clock,
    pool: parts.pool,
    router: parts.router,
    ids: parts.ids,
    cache: parts.cache,
    sessions,
    geo: parts.geo,
    bus: parts.bus,
    queue: parts.queue,
    fleet: parts.fleet,
    live: parts.live,
    blobs: parts.blobs,
    outbox: new OutboxWriter(parts.ids, parts.clock, (aggregateId) =>
      relay.noteAppended(parts.router.forId(aggregateId)),
    ),
    relay,
    rateLimiter: new RateLimiter(parts.cache, parts.config.rateLimits.enabled),
    lists: new ListCache(parts.cache, parts.logger.child({ module: 'list-cache' })),
    unreachable: parts.unreachable,
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await relay.stop();
      await sessions.close();
      await parts.fleet.close();
      await closeAll(parts.closers, parts.logger);
    },
  };
}
