import { isRedisCluster, redisKey, redisScript, runScript, type RedisClient } from '../redis';
import { decodeVersioned, encodeVersioned, type Cache, type Versioned } from './cache.port';

// INCR and the first expiry in one step, so a crash between them cannot leave a
// counter that never expires; PEXPIRE NX (Redis 7) also heals a key without one.
const incrementScript = `
local value = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return { value, redis.call('PTTL', KEYS[1]) }
`;
const increment = redisScript(incrementScript);

// putVersioned's rule (cache.port.ts replacesVersioned) in one step: ARGV[1] the
// encoded entry, ARGV[2] its version, ARGV[3] 1 for a fence, ARGV[4] the ttl in ms.
const putVersionedScript = `
local current = redis.call('GET', KEYS[1])
if current then
  local version, kind = string.match(current, '^(%d+)([=!])')
  if version then
    local have = tonumber(version)
    local want = tonumber(ARGV[2])
    if have > want then return 0 end
    if have == want and (kind == '=' or ARGV[3] == '1') then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return 1
`;
const putVersioned = redisScript(putVersionedScript);

/**
 * The cluster-mode cache. Keys live under `<prefix>cache:`. The Redis client
 * belongs to the caller (it is usually shared); `close()` leaves it open.
 */
export class RedisCache implements Cache {
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | null> {
    this.assertOpen();
    return this.redis.get(this.key(key));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    this.assertOpen();
    if (keys.length === 0) {
      return [];
    }
    const fullKeys = keys.map((key) => this.key(key));
    // On a cluster the keys spread over slots: one GET each (pipelined per node), not one MGET.
    return isRedisCluster(this.redis)
      ? Promise.all(fullKeys.map((key) => this.redis.get(key)))
      : this.redis.mget(fullKeys);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.assertOpen();
    await this.redis.set(this.key(key), value, 'PX', ttlMs(ttlSeconds));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    this.assertOpen();
    const reply = await this.redis.set(this.key(key), value, 'PX', ttlMs(ttlSeconds), 'NX');
    return reply === 'OK';
  }

  async putVersioned(
    key: string,
    version: number,
    value: string | null,
    ttlSeconds: number,
  ): Promise<boolean> {
    this.assertOpen();
    const entry = encodeVersioned(version, value);
    const reply = await runScript(
      this.redis,
      putVersioned,
      [this.key(key)],
      [entry, version, value === null ? 1 : 0, ttlMs(ttlSeconds)],
    );
    return reply === 1;
  }

  async getVersioned(key: string): Promise<Versioned | null> {
    this.assertOpen();
    return decodeVersioned(await this.redis.get(this.key(key)));
  }

  async delete(...keys: string[]): Promise<void> {
    this.assertOpen();
    if (keys.length === 0) {
      return;
    }
    const fullKeys = keys.map((key) => this.key(key));
    if (isRedisCluster(this.redis)) {
      await Promise.all(fullKeys.map((key) => this.redis.del(key)));
      return;
    }
    await this.redis.del(fullKeys);
  }

  async increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }> {
    this.assertOpen();
    const fullKey = this.key(key);
    const lifetimeMs = ttlMs(ttlSeconds);
    const reply = await runScript(this.redis, increment, [fullKey], [lifetimeMs]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new Error(`unexpected reply to the increment script: ${JSON.stringify(reply)}`);
    }
    return { value: reply[0], ttlMs: reply[1] };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.redis.ping();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private key(key: string): string {
    return redisKey(this.prefix, 'cache', key);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('cache is closed');
    }
  }
}

function ttlMs(ttlSeconds: number): number {
  // Redis would reject a non-positive PX with a vaguer error; both adapters throw this one.
  const ms = Math.round(ttlSeconds * 1000);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
  }
  return ms;
}
