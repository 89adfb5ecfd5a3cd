import { createHash } from 'node:crypto';
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { AppError, errors } from '../lib/errors';
import type { Logger } from '../lib/logger';

/**
 * A client of a standalone Redis or of a Redis Cluster (`REDIS_URL` lists the
 * cluster's seed nodes, comma-separated). Both share every command method; on a
 * cluster the keys of one command, script or transaction must share a hash slot.
 */
export type RedisClient = Redis | Cluster;

/** The URLs of a `REDIS_URL`: one for a standalone Redis, several for the seed nodes of a Redis Cluster. */
export function redisUrls(url: string): string[] {
  return url
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Whether `REDIS_URL` names a Redis Cluster (a list of seed nodes) rather than one standalone Redis. */
export function isClusterUrl(url: string): boolean {
  return redisUrls(url).length > 1;
}

export function isRedisCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster || (redis as { isCluster?: unknown }).isCluster === true;
}

export interface CreateRedisOptions {
  /**
   * Cluster only: route SSUBSCRIBE to the node owning each channel's slot (the
   * Socket.IO adapter's sharded pub/sub needs it).
   */
  shardedSubscribers?: boolean;
  /**
   * For BullMQ and other blocking users: commands wait out a disconnect instead
   * of failing (BullMQ requires `maxRetriesPerRequest: null`).
   */
  forBlocking?: boolean;
  /** Where connection errors go; without one ioredis prints them itself. */
  logger?: Pick<Logger, 'warn'>;
  /**
   * A command with no reply within this fails (503 `unavailable` naming `redis`)
   * instead of waiting on a hung server. Ignored for blocking clients, whose
   * commands wait by design.
   */
  commandTimeoutMs?: number;
}

const connectTimeoutMs = 2_000;
const maxReconnectDelayMs = 2_000;

/**
 * Commands written to the connection at once instead of joining the
 * auto-pipeline. ioredis keeps one auto-pipeline in flight per connection and
 * holds every later command until that pipeline's last reply is in, so under
 * load a command can wait a whole round trip before it is even sent. Scripts
 * are the heavy commands (a batch of 200 pings is one) and each already
 * carries its own batch, so they go at once (ADR 0043).
 */
const SENT_AT_ONCE = ['evalsha', 'eval'];

/**
 * Opens an ioredis client that connects at once and keeps reconnecting (at most
 * 2 s apart), so it recovers when Redis comes back. Once an ordinary client has
 * been ready, its offline queue is off: while Redis is down commands fail fast
 * instead of piling up in memory. Commands sent before the first connection
 * wait for it (or fail after a retry), so `createRedis(...).ping()` works at boot.
 * With `commandTimeoutMs`, a server that hangs (stopped, swapping) costs a
 * command that long at most; the connection stays, and replies that come late
 * are dropped in order, so it serves again as soon as the server does.
 */
export function createRedis(url: string, name: string, options: CreateRedisOptions = {}): RedisClient {
  const forBlocking = options.forBlocking === true;
  const shared: RedisOptions = {
    connectionName: name,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: forBlocking ? null : 1,
    ...(forBlocking || options.commandTimeoutMs === undefined
      ? {}
      : { commandTimeout: options.commandTimeoutMs }),
  };
  const urls = redisUrls(url);
  const redis: RedisClient =
    urls.length > 1
      ? new Cluster(urls.map(clusterNode), {
          redisOptions: { ...shared, ...credentials(urls[0] ?? url) },
          lazyConnect: false,
          enableOfflineQueue: true,
          enableAutoPipelining: !forBlocking,
          autoPipeliningIgnoredCommands: SENT_AT_ONCE,
          // Also bounds how long the first slot map may take: a boot against a dead cluster fails, not hangs.
          slotsRefreshTimeout: connectTimeoutMs,
          clusterRetryStrategy: (times) => Math.min(times * 100, maxReconnectDelayMs),
          shardedSubscribers: options.shardedSubscribers === true,
        })
      : new Redis(url, {
          ...shared,
          lazyConnect: false,
          enableOfflineQueue: true,
          // Commands issued in the same event-loop turn go out as one pipeline (scripts go at once).
          enableAutoPipelining: !forBlocking,
          autoPipeliningIgnoredCommands: SENT_AT_ONCE,
          retryStrategy: (times) => Math.min(times * 100, maxReconnectDelayMs),
        });
  if (!forBlocking) {
    failFastOnceReady(redis);
  }
  const logger = options.logger;
  if (logger !== undefined) {
    redis.on('error', (error: unknown) => {
      logger.warn({ err: error, redis: name }, 'redis connection error');
    });
  }
  // Blocking clients belong to libraries (BullMQ, the Socket.IO adapter) that handle their own errors.
  if (forBlocking) {
    return redis;
  }
  // A cluster's own offline queue retries without end while no node answers (a standalone client
  // gives up after one retry): a command sent before the cluster is ready waits this long at most.
  return isRedisCluster(redis)
    ? guardRedis(redis, {
        notReadyLimitMs: connectTimeoutMs + (options.commandTimeoutMs ?? connectTimeoutMs),
      })
    : guardRedis(redis);
}

/** A seed node of a cluster URL list. */
function clusterNode(url: string): ClusterNode {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port === '' ? 6379 : Number(parsed.port) };
}

/** The user, password and TLS of a cluster's URLs (the first one's; every node of a cluster shares them). */
function credentials(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A second connection like `redis` (same server or cluster, same options) under
 * another name, with its offline queue on until it is first ready (and, on a
 * cluster, `shardedSubscribers` as asked). Callers that
 * want it fail-fast afterwards call `failFastOnceReady` on it.
 */
export function duplicateRedis(
  redis: RedisClient,
  name: string,
  options: Pick<CreateRedisOptions, 'shardedSubscribers'> = {},
): RedisClient {
  if (isRedisCluster(redis)) {
    return redis.duplicate([], {
      enableOfflineQueue: true,
      shardedSubscribers: options.shardedSubscribers === true,
      redisOptions: { ...redis.options.redisOptions, connectionName: name },
    });
  }
  return redis.duplicate({ connectionName: name, enableOfflineQueue: true });
}

/**
 * Redis answering with an error (a `ReplyError`: wrong type, script error) is
 * a bug of ours; every other failure of a command means Redis could not be
 * reached (closed connection, offline queue off, retries exhausted).
 */
function asRedisFailure(error: unknown): unknown {
  if (error instanceof AppError || (error instanceof Error && error.name === 'ReplyError')) {
    return error;
  }
  return errors.unavailable('redis', error);
}

function rethrowRedisFailure(error: unknown): never {
  throw asRedisFailure(error);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/**
 * The client, with every command's failure typed: an unreachable Redis rejects
 * with a 503 `unavailable` AppError naming `redis`, so callers and the HTTP
 * error handler recognise an outage by its type, never by its message.
 * Pipelines and transactions (`pipeline()`, `multi()`) are guarded the same way.
 */
export function guardRedis<T extends RedisClient>(redis: T, options: { notReadyLimitMs?: number } = {}): T {
  const limitMs = options.notReadyLimitMs;
  return new Proxy(redis, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') {
        return value;
      }
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'pipeline' || property === 'multi') {
        return (...args: unknown[]) => guardBatch(method.apply(target, args) as object);
      }
      return (...args: unknown[]) => {
        const ready = target.status === 'ready';
        const result = method.apply(target, args);
        if (!isPromise(result)) {
          return result;
        }
        const guarded = result.catch(rethrowRedisFailure);
        return limitMs === undefined || ready ? guarded : withinLimit(guarded, limitMs);
      };
    },
  });
}

/** `work`, or 503 `unavailable` naming `redis` once `limitMs` has passed without it settling. */
function withinLimit(work: Promise<unknown>, limitMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(errors.unavailable('redis', new Error(`Redis was not ready within ${limitMs} ms`))),
      limitMs,
    );
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** A pipeline or transaction whose chained commands return the guarded batch and whose `exec` is guarded. */
function guardBatch<T extends object>(batch: T): T {
  const guarded: T = new Proxy(batch, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') {
        return value;
      }
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const result = method.apply(target, args);
        if (result === target) {
          return guarded;
        }
        return isPromise(result) ? result.catch(rethrowRedisFailure) : result;
      };
    },
  });
  return guarded;
}

/**
 * Turns the offline queue off after the first connection. ioredis reads the
 * option on every command, so this only changes behaviour for later outages.
 */
export function failFastOnceReady(redis: RedisClient): void {
  if (redis.status === 'ready') {
    redis.options.enableOfflineQueue = false;
    return;
  }
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
}

/**
 * Resolves once the client is ready for commands; rejects when it is not ready
 * within `timeoutMs` or has been closed, so boot and tests fail with a clear error
 * instead of hanging on an unreachable Redis.
 */
export async function waitForRedis(redis: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') {
    return;
  }
  if (redis.status === 'end') {
    throw new Error('Redis connection is closed');
  }
  await new Promise<void>((resolve, reject) => {
    let lastError: unknown = null;
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error('Redis connection closed before it was ready', { cause: lastError }));
    };
    const timer = setTimeout(() => {
      cleanup();
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      reject(new Error(`Redis was not ready within ${timeoutMs} ms${detail}`, { cause: lastError }));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('end', onEnd);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('end', onEnd);
  });
}

/** `createRedis` followed by `waitForRedis`; the client is closed again when it never becomes ready. */
export async function connectRedis(
  url: string,
  name: string,
  options: CreateRedisOptions & { timeoutMs?: number } = {},
): Promise<RedisClient> {
  const redis = createRedis(url, name, options);
  try {
    await waitForRedis(redis, options.timeoutMs);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/**
 * Closes a client gracefully (pending replies first) when connected, at once
 * otherwise, and resolves once it has ended, so it no longer holds the process
 * open. Safe to call twice.
 */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') {
    return;
  }
  if (redis.status === 'reconnecting') {
    // Between retries there is no socket: disconnect only cancels the next
    // retry, and ioredis emits no 'end' for it.
    redis.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => {
    // Only a safety net: ioredis emits 'end' once the socket has closed.
    const timer = setTimeout(resolve, 2_000);
    timer.unref();
    redis.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (redis.status === 'ready') {
    try {
      await redis.quit();
    } catch {
      // The connection dropped while quitting; disconnect ends the retries.
      redis.disconnect();
    }
  } else {
    redis.disconnect();
  }
  await ended;
}

/** Builds a key under a deployment prefix: `redisKey('loadline:', 'sess', hash)` is `loadline:sess:<hash>`. */
export function redisKey(prefix: string, ...parts: string[]): string {
  return prefix + parts.join(':');
}

/** A Lua script with its SHA-1, for EVALSHA. */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs `script` with EVALSHA, and with EVAL (which also caches it) when the
 * node has not seen it yet (first use, a restart, SCRIPT FLUSH): one round
 * trip in the usual case.
 */
export async function runScript(
  redis: RedisClient,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) {
      throw error;
    }
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
