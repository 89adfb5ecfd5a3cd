import { isRedisCluster, redisKey, redisScript, runScript, type RedisClient } from '../redis';
import { geoSetKey } from '../geo/redis-geo-index';
import {
  indexablePoint,
  positiveTtlMs,
  type LiveFacts,
  type LivePing,
  type LivePingResult,
  type LiveStateStore,
} from './live-state.port';

/*
 * Keys, all of one member in one hash slot (`{member}`): `live:{id}:facts`
 * (hash: doc, set, indexed), `live:{id}:position` (hash: at, doc) and
 * `live:{id}:rate` (the fixed-window counter). The geo sets are the GeoIndex's
 * keys (`geo:<set>`).
 *
 * KEYS: rate, facts, position, then (on a standalone Redis) the geo key of each
 * set in ARGV[9..]. ARGV: limit (0: none), window ms, at, position doc,
 * position ttl ms, lng, lat ('' when not indexable), member, set names.
 * Replies: {0, ms until the window ends} | {1} no facts | {2, facts} stale |
 * {3, facts, set, indexed} accepted.
 */
const PING_SCRIPT = `
local limit = tonumber(ARGV[1])
if limit > 0 then
  local count = redis.call('INCR', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
  if count > limit then
    return { 0, redis.call('PTTL', KEYS[1]) }
  end
end
local facts = redis.call('HMGET', KEYS[2], 'doc', 'set', 'indexed')
if not facts[1] then
  return { 1 }
end
local storedAt = tonumber(redis.call('HGET', KEYS[3], 'at'))
if storedAt ~= nil and tonumber(ARGV[3]) < storedAt then
  return { 2, facts[1] }
end
redis.call('HSET', KEYS[3], 'at', ARGV[3], 'doc', ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
for index = 4, #KEYS do
  if ARGV[index + 5] == facts[2] then
    if facts[3] == '1' and ARGV[7] ~= '' then
      redis.call('GEOADD', KEYS[index], ARGV[6], ARGV[7], ARGV[8])
    else
      redis.call('ZREM', KEYS[index], ARGV[8])
    end
  end
end
return { 3, facts[1], facts[2] or '', facts[3] or '0' }`;
const PING = redisScript(PING_SCRIPT);

const SEED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'at', ARGV[1], 'doc', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 0`;

/**
 * Cluster mode: the live state in Redis. On a standalone Redis a ping is one
 * script (one round trip) that also moves the member in or out of its geo set.
 * On a Redis Cluster the geo sets live in other slots than the member's keys,
 * so the script does the member's part and the geo write follows it, checked
 * against the facts once more afterwards (ADR 0026).
 * The Redis client belongs to the caller; `close()` leaves it open.
 */
export class RedisLiveState implements LiveStateStore {
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async ping(ping: LivePing): Promise<LivePingResult> {
    this.assertOpen();
    const cluster = isRedisCluster(this.redis);
    const point = indexablePoint(ping);
    const keys = [
      this.key(ping.member, 'rate'),
      this.key(ping.member, 'facts'),
      this.key(ping.member, 'position'),
    ];
    if (!cluster) {
      keys.push(...ping.sets.map((set) => geoSetKey(this.prefix, set)));
    }
    const args = [
      ping.rate === null ? 0 : ping.rate.limit,
      ping.rate === null ? 1 : ping.rate.windowMs,
      ping.at,
      ping.position,
      positiveTtlMs(ping.positionTtlMs),
      point === null ? '' : point.lng,
      point === null ? '' : point.lat,
      ping.member,
      ...ping.sets,
    ];
    const reply = parsePingReply(await runScript(this.redis, PING, keys, args));
    if (reply.outcome !== 'accepted') {
      return reply;
    }
    // On a cluster, as before this script: writers take members out of sets; a ping puts them in.
    if (cluster && ping.sets.includes(reply.set) && reply.indexed) {
      if (point === null) {
        await this.redis.zrem(geoSetKey(this.prefix, reply.set), ping.member);
      } else {
        await this.indexAfterwards(ping.member, reply.set, point);
      }
    }
    return { outcome: 'accepted', facts: reply.facts };
  }

  async read(member: string): Promise<{ facts: string | null; position: string | null }> {
    this.assertOpen();
    const [facts, position] = await Promise.all([
      this.redis.hget(this.key(member, 'facts'), 'doc'),
      this.redis.hget(this.key(member, 'position'), 'doc'),
    ]);
    return { facts, position };
  }

  async readFacts(member: string): Promise<string | null> {
    this.assertOpen();
    return this.redis.hget(this.key(member, 'facts'), 'doc');
  }

  async readPositions(members: readonly string[]): Promise<(string | null)[]> {
    this.assertOpen();
    // Pipelined (per node on a cluster): one round trip for the page.
    return Promise.all(members.map((member) => this.redis.hget(this.key(member, 'position'), 'doc')));
  }

  async writeFacts(member: string, facts: LiveFacts, ttlMs: number): Promise<void> {
    this.assertOpen();
    const key = this.key(member, 'facts');
    // One transaction: a ping never sees the doc without its lifetime.
    await this.redis
      .multi()
      .hset(key, 'doc', facts.doc, 'set', facts.set, 'indexed', facts.indexed ? '1' : '0')
      .pexpire(key, positiveTtlMs(ttlMs))
      .exec();
  }

  async forgetFacts(member: string): Promise<void> {
    this.assertOpen();
    await this.redis.del(this.key(member, 'facts'));
  }

  async seedPosition(member: string, at: number, position: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    await this.redis.eval(SEED_SCRIPT, 1, this.key(member, 'position'), at, position, positiveTtlMs(ttlMs));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /**
   * Redis Cluster only: adds the member to its set, then reads its facts again.
   * A writer that made it unavailable in between removed the member before our
   * add, so this second look removes it after; an offline driver never stays matchable.
   */
  private async indexAfterwards(
    member: string,
    set: string,
    point: { lat: number; lng: number },
  ): Promise<void> {
    const geoKey = geoSetKey(this.prefix, set);
    await this.redis.geoadd(geoKey, point.lng, point.lat, member);
    const [latestSet, indexed] = await this.redis.hmget(this.key(member, 'facts'), 'set', 'indexed');
    if (latestSet !== set || indexed !== '1') {
      await this.redis.zrem(geoKey, member);
    }
  }

  private key(member: string, part: 'facts' | 'position' | 'rate'): string {
    return redisKey(this.prefix, 'live', `{${member}}`, part);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('live state is closed');
    }
  }
}

type PingReply =
  | { outcome: 'rate_limited'; retryAfterMs: number }
  | { outcome: 'no_facts' }
  | { outcome: 'stale'; facts: string }
  | { outcome: 'accepted'; facts: string; set: string; indexed: boolean };

function parsePingReply(reply: unknown): PingReply {
  if (Array.isArray(reply)) {
    const parts: unknown[] = reply;
    const [code, first, second, third] = parts;
    if (code === 0 && typeof first === 'number') {
      return { outcome: 'rate_limited', retryAfterMs: first };
    }
    if (code === 1) {
      return { outcome: 'no_facts' };
    }
    if (code === 2 && typeof first === 'string') {
      return { outcome: 'stale', facts: first };
    }
    if (code === 3 && typeof first === 'string' && typeof second === 'string' && typeof third === 'string') {
      return { outcome: 'accepted', facts: first, set: second, indexed: third === '1' };
    }
  }
  throw new Error(`unexpected reply to the ping script: ${JSON.stringify(reply)}`);
}
