import { systemClock, type Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { redisKey, type RedisClient } from '../redis';
import type { DurableSessionStore, Role, Session, SessionKey, SessionStore } from './session-store.port';

/** What a revoked token's key holds for a while, so a lookup that read SQL before the revocation cannot cache it. */
const REVOKED = 'revoked';

/** SET KEYS[1] ARGV[1] PX ARGV[2], unless the key holds the revocation marker ARGV[3]. */
const SET_UNLESS_REVOKED = `
if redis.call('GET', KEYS[1]) == ARGV[3] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

export interface RedisSessionStoreOptions {
  redis: RedisClient;
  prefix: string;
  /** The store of record (the sessions table on each user's shard); it belongs to the caller. */
  durable: DurableSessionStore;
  logger: Logger;
  clock?: Clock;
  /** How long a session stays cached after it was last read from the store of record (default 1 day). */
  cacheTtlMs?: number;
  /** How long a revocation marker outlives the revocation (default 5 minutes). */
  revokedTtlMs?: number;
}

/**
 * The cluster-mode session store: a read-through Redis cache over the store of
 * record, so an emptied Redis costs one SQL read per session, not a logout.
 * Each session is cached as JSON at `<prefix>session:<hash>` until its expiry
 * (at most `cacheTtlMs`). Revoking deletes the row first, then overwrites the
 * cached copy with a marker that a cache fill (SET NX) cannot replace, so a
 * lookup racing the revocation cannot bring the session back. A Redis that does
 * not answer on reads is bypassed; a revocation it does not take fails, so the
 * caller knows to retry.
 */
export class RedisSessionStore implements SessionStore {
  private readonly clock: Clock;
  private readonly cacheTtlMs: number;
  private readonly revokedTtlMs: number;
  private closed = false;

  constructor(private readonly options: RedisSessionStoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.cacheTtlMs = options.cacheTtlMs ?? 24 * 3600_000;
    this.revokedTtlMs = options.revokedTtlMs ?? 5 * 60_000;
  }

  async create(tokenHash: string, session: Session): Promise<void> {
    this.assertOpen();
    await this.options.durable.create(tokenHash, session);
    const ttlMs = this.cacheTtl(session);
    if (ttlMs > 0) {
      try {
        // A revoke-all that ran between the insert and now left a marker, which must stay.
        await this.options.redis.eval(
          SET_UNLESS_REVOKED,
          1,
          this.key(tokenHash),
          JSON.stringify(record(session)),
          ttlMs,
          REVOKED,
        );
      } catch (error) {
        // The row is written; the first lookup caches it.
        this.options.logger.warn({ err: error }, 'could not cache a new session');
      }
    }
  }

  async get(key: SessionKey): Promise<Session | null> {
    this.assertOpen();
    let cached: string | null;
    try {
      cached = await this.options.redis.get(this.key(key.tokenHash));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'session cache unreachable; reading the session store');
      return this.options.durable.get(key);
    }
    if (cached === REVOKED) {
      return null;
    }
    if (cached !== null) {
      const session = parseSession(cached);
      // Redis expires on its own clock; this keeps the instant exact on ours.
      return session.userId === key.userId && session.expiresAt > this.clock.now() ? session : null;
    }
    const session = await this.options.durable.get(key);
    if (session !== null) {
      await this.fill(key.tokenHash, session);
    }
    return session;
  }

  async revoke(key: SessionKey): Promise<void> {
    this.assertOpen();
    await this.options.durable.revoke(key);
    await this.options.redis.set(this.key(key.tokenHash), REVOKED, 'PX', this.revokedTtlMs);
  }

  async revokeAllForUser(userId: string): Promise<number> {
    this.assertOpen();
    const hashes = await this.options.durable.revokeAllForUserListed(userId);
    if (hashes.length > 0) {
      // One SET per key, not a pipeline: on a Redis Cluster the keys lie on several nodes (the
      // client pipelines the commands of one event-loop turn per node by itself).
      const { redis } = this.options;
      await Promise.all(hashes.map((hash) => redis.set(this.key(hash), REVOKED, 'PX', this.revokedTtlMs)));
    }
    return hashes.length;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.options.redis.ping();
    await this.options.durable.ping();
  }

  /** Refuses later calls; the Redis client and the store of record belong to the caller. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Caches a session read from the store of record, unless a revocation marker or a copy is there. */
  private async fill(tokenHash: string, session: Session): Promise<void> {
    const ttlMs = this.cacheTtl(session);
    if (ttlMs <= 0) {
      return;
    }
    try {
      await this.options.redis.set(this.key(tokenHash), JSON.stringify(record(session)), 'PX', ttlMs, 'NX');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not cache a session');
    }
  }

  private cacheTtl(session: Session): number {
    return Math.min(session.expiresAt - this.clock.now(), this.cacheTtlMs);
  }

  private key(tokenHash: string): string {
    return redisKey(this.options.prefix, 'session', tokenHash);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('session store is closed');
    }
  }
}

function record(session: Session): Session {
  return {
    userId: session.userId,
    role: session.role,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
  };
}

const roles: readonly Role[] = ['customer', 'driver', 'admin'];

function parseSession(raw: string): Session {
  const value: unknown = JSON.parse(raw);
  if (typeof value === 'object' && value !== null) {
    const stored = value as Record<string, unknown>;
    const role = roles.find((candidate) => candidate === stored.role);
    if (
      typeof stored.userId === 'string' &&
      role !== undefined &&
      typeof stored.createdAt === 'number' &&
      typeof stored.expiresAt === 'number'
    ) {
      return { userId: stored.userId, role, createdAt: stored.createdAt, expiresAt: stored.expiresAt };
    }
  }
  throw new Error('malformed session record in Redis');
}
