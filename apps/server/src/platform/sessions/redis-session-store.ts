import type { ChainableCommander, Redis } from 'ioredis';
import { systemClock, type Clock } from '../../lib/clock';
import { redisKey } from '../redis';
import type { Role, Session, SessionStore } from './session-store.port';

/**
 * The cluster-mode session store. Each session is `<prefix>sess:<hash>`, JSON
 * with a PX expiry; `<prefix>usess:<userId>` is the set of the user's hashes,
 * which expires with the user's longest session so it never outlives them all.
 * The Redis client belongs to the caller; `close()` leaves it open.
 */
export class RedisSessionStore implements SessionStore {
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(tokenHash: string, session: Session): Promise<void> {
    this.assertOpen();
    const ttlMs = session.expiresAt - this.clock.now();
    // PX must be positive, and an expired session could never be read anyway.
    if (ttlMs <= 0) {
      return;
    }
    const record: Session = {
      userId: session.userId,
      role: session.role,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
    };
    const userKey = this.userKey(session.userId);
    await execOrThrow(
      this.redis
        .multi()
        .set(this.sessionKey(tokenHash), JSON.stringify(record), 'PX', ttlMs)
        .sadd(userKey, tokenHash)
        // NX gives a new set its first expiry; GT only ever lengthens it.
        .pexpire(userKey, ttlMs, 'NX')
        .pexpire(userKey, ttlMs, 'GT'),
    );
  }

  async get(tokenHash: string): Promise<Session | null> {
    this.assertOpen();
    const raw = await this.redis.get(this.sessionKey(tokenHash));
    if (raw === null) {
      return null;
    }
    const session = parseSession(raw);
    // Redis expires on its own clock; this keeps the instant exact on ours.
    return session.expiresAt > this.clock.now() ? session : null;
  }

  async revoke(tokenHash: string): Promise<void> {
    this.assertOpen();
    const raw = await this.redis.get(this.sessionKey(tokenHash));
    if (raw === null) {
      return;
    }
    const session = parseSession(raw);
    await execOrThrow(
      this.redis.multi().del(this.sessionKey(tokenHash)).srem(this.userKey(session.userId), tokenHash),
    );
  }

  async revokeAllForUser(userId: string): Promise<number> {
    this.assertOpen();
    const userKey = this.userKey(userId);
    const hashes = await this.redis.smembers(userKey);
    if (hashes.length === 0) {
      return 0;
    }
    const keys = hashes.map((hash) => this.sessionKey(hash));
    // Counted on our clock, like `get`: Redis keeps a key a few milliseconds past
    // its expiresAt (its TTL starts when the SET arrives), and DEL would count it.
    const stored = await this.redis.mget(keys);
    const now = this.clock.now();
    const live = stored.filter((raw) => raw !== null && parseSession(raw).expiresAt > now).length;
    // SREM of exactly these members, not DEL of the set, so a session created
    // meanwhile stays revocable.
    await execOrThrow(
      this.redis
        .multi()
        .del(keys)
        .srem(userKey, ...hashes),
    );
    return live;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.redis.ping();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private sessionKey(tokenHash: string): string {
    return redisKey(this.prefix, 'sess', tokenHash);
  }

  private userKey(userId: string): string {
    return redisKey(this.prefix, 'usess', userId);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('session store is closed');
    }
  }
}

/** Runs a MULTI and returns its replies, throwing the first command error. */
async function execOrThrow(multi: ChainableCommander): Promise<unknown[]> {
  const results = await multi.exec();
  if (results === null) {
    throw new Error('Redis transaction was aborted');
  }
  return results.map(([error, reply]) => {
    if (error !== null) {
      throw error;
    }
    return reply;
  });
}

const roles: readonly Role[] = ['customer', 'driver', 'admin'];

function parseSession(raw: string): Session {
  const value: unknown = JSON.parse(raw);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const role = roles.find((candidate) => candidate === record.role);
    if (
      typeof record.userId === 'string' &&
      role !== undefined &&
      typeof record.createdAt === 'number' &&
      typeof record.expiresAt === 'number'
    ) {
      return { userId: record.userId, role, createdAt: record.createdAt, expiresAt: record.expiresAt };
    }
  }
  throw new Error('malformed session record in Redis');
}
