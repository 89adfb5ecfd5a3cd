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
 * The script works a batch of pings, each on its own (a ping that fails
 * answers its error and the others go on). KEYS: the geo key of each set (on
 * a standalone Redis; none on a Redis Cluster), then per ping its rate, facts
 * and position keys. ARGV: the number of geo keys and the set names, then the
 * rate limit (0: none), its window ms and the position ttl ms, shared by the
 * batch, then the pings as one JSON array of [at, position doc, lng, lat
 * ('' when not indexable), member], in the order of their keys: one argument
 * rather than five a ping keeps the command short to encode.
 * Replies, one per ping: {0, ms until the window ends} | {1} no facts |
 * {2, facts} stale | {3, facts, set, indexed} accepted | {9, error}.
 */
const PING_SCRIPT = `
local sets = tonumber(ARGV[1])
local limit = tonumber(ARGV[sets + 2])
local window = ARGV[sets + 3]
local ttl = ARGV[sets + 4]
local pings = cjson.decode(ARGV[sets + 5])
local function ping(k, p)
  if limit > 0 then
    local count = redis.call('INCR', KEYS[k])
    redis.call('PEXPIRE', KEYS[k], window, 'NX')
    if count > limit then
      return { 0, redis.call('PTTL', KEYS[k]) }
    end
  end
  local facts = redis.call('HMGET', KEYS[k + 1], 'doc', 'set', 'indexed')
  if not facts[1] then
    return { 1 }
  end
  local storedAt = tonumber(redis.call('HGET', KEYS[k + 2], 'at'))
  if storedAt ~= nil and tonumber(p[1]) < storedAt then
    return { 2, facts[1] }
  end
  redis.call('HSET', KEYS[k + 2], 'at', p[1], 'doc', p[2])
  redis.call('PEXPIRE', KEYS[k + 2], ttl)
  for index = 1, sets do
    if ARGV[index + 1] == facts[2] then
      if facts[3] == '1' and p[4] ~= '' then
        redis.call('GEOADD', KEYS[index], p[3], p[4], p[5])
      else
        redis.call('ZREM', KEYS[index], p[5])
      end
    end
  end
  return { 3, facts[1], facts[2] or '', facts[3] or '0' }
end
local replies = {}
for index, p in ipairs(pings) do
  local ok, reply = pcall(ping, sets + index * 3 - 2, p)
  if ok then
    replies[index] = reply
  else
    replies[index] = { 9, type(reply) == 'table' and tostring(reply.err) or tostring(reply) }
  end
end
return replies`;
const PING = redisScript(PING_SCRIPT);
/** Pings per script call at most: a batch this full is sent without waiting for the turn to end. */
const PINGS_PER_SCRIPT = 200;

const SEED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'at', ARGV[1], 'doc', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 0`;

/** A ping waiting for its batch's script. */
interface QueuedPing {
  ping: LivePing;
  point: { lat: number; lng: number } | null;
  resolve: (result: LivePingResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Cluster mode: the live state in Redis. On a standalone Redis the pings one
 * turn of the event loop gathers go as one script (one round trip, one command
 * for many drivers) that also moves each member in or out of its geo set.
 * On a Redis Cluster each member's keys and the geo sets live in different
 * slots, so each ping is its own script call doing the member's part, and the
 * geo write follows it, checked against the facts once more afterwards
 * (ADR 0026). The Redis client belongs to the caller; `close()` leaves it open.
 */
export class RedisLiveState implements LiveStateStore {
  private closed = false;
  /** Standalone Redis: pings gathered for the next batch, by their sets, rate rule and position lifetime. */
  private queued = new Map<string, QueuedPing[]>();
  private flushScheduled = false;
  /** The batch key the last ping was given, with what it was worked out from. */
  private lastGroup: (Pick<LivePing, 'sets' | 'rate' | 'positionTtlMs'> & { key: string }) | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /**
   * Standalone Redis: the ping joins the batch of this turn (no promise or
   * result of its own on top of the batch's; a reply is the ping's result).
   */
  ping(ping: LivePing): Promise<LivePingResult> {
    if (this.closed) {
      return Promise.reject(closedError());
    }
    const point = indexablePoint(ping);
    return isRedisCluster(this.redis) ? this.pingOnCluster(ping, point) : this.queue(ping, point);
  }

  /** Redis Cluster: the member's part as its own script call, then the geo write, checked afterwards. */
  private async pingOnCluster(ping: LivePing, point: QueuedPing['point']): Promise<LivePingResult> {
    const [reply] = await this.runPings([], [{ ping, point }], parsePingReply);
    if (reply === undefined || reply instanceof Error) {
      throw reply ?? new Error('the ping script answered no reply');
    }
    if (reply.outcome !== 'accepted') {
      return reply;
    }
    // As before this script: writers take members out of sets; a ping puts them in.
    if (ping.sets.includes(reply.set) && reply.indexed) {
      if (point === null) {
        await this.redis.zrem(geoSetKey(this.prefix, reply.set), ping.member);
      } else {
        await this.indexAfterwards(ping.member, reply.set, point);
      }
    }
    return { outcome: 'accepted', facts: reply.facts };
  }

  /**
   * Standalone Redis: waits for the batch this ping joins, sent once the I/O
   * at hand is worked (`setImmediate`), or at once when it is full.
   */
  private queue(ping: LivePing, point: QueuedPing['point']): Promise<LivePingResult> {
    return new Promise((resolve, reject) => {
      const group = this.groupOf(ping);
      const entry = { ping, point, resolve, reject };
      const queued = this.queued.get(group);
      if (queued === undefined) {
        this.queued.set(group, [entry]);
      } else {
        queued.push(entry);
        if (queued.length >= PINGS_PER_SCRIPT) {
          this.queued.delete(group);
          this.send(queued);
          return;
        }
      }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          const groups = this.queued;
          this.queued = new Map();
          for (const entries of groups.values()) {
            this.send(entries);
          }
        });
      }
    });
  }

  /**
   * The batch a ping joins: one batch shares its sets, rate rule and position
   * lifetime. In practice every ping names the same ones (the same array and
   * rule objects), so the key is worked out once, not per ping.
   */
  private groupOf(ping: LivePing): string {
    const last = this.lastGroup;
    if (
      last !== null &&
      last.sets === ping.sets &&
      last.rate === ping.rate &&
      last.positionTtlMs === ping.positionTtlMs
    ) {
      return last.key;
    }
    const key = `${ping.sets.join('\n')}|${ping.rate?.limit ?? 0}|${ping.rate?.windowMs ?? 0}|${ping.positionTtlMs}`;
    this.lastGroup = { sets: ping.sets, rate: ping.rate, positionTtlMs: ping.positionTtlMs, key };
    return key;
  }

  /** One script call for a batch of queued pings, each settled by its own reply. */
  private send(entries: readonly QueuedPing[]): void {
    this.runPings(entries[0]?.ping.sets ?? [], entries, parseBatchReply).then(
      (replies) => {
        entries.forEach((entry, index) => {
          // As many replies as pings: runPings checks.
          const reply = replies[index] ?? new Error('the ping script answered no reply');
          if (reply instanceof Error) {
            entry.reject(reply);
          } else {
            entry.resolve(reply);
          }
        });
      },
      (error: unknown) => {
        for (const entry of entries) {
          entry.reject(error);
        }
      },
    );
  }

  /**
   * One script call for `pings`, which share their rate rule and position
   * lifetime; `sets` names the geo sets it may write (none on a Redis Cluster).
   */
  private async runPings<R>(
    sets: readonly string[],
    pings: readonly Pick<QueuedPing, 'ping' | 'point'>[],
    parse: (reply: unknown) => R | Error,
  ): Promise<(R | Error)[]> {
    const first = pings[0]?.ping;
    if (first === undefined) {
      return [];
    }
    const keys = sets.map((set) => geoSetKey(this.prefix, set));
    const batch: string[][] = [];
    for (const { ping, point } of pings) {
      const base = this.memberBase(ping.member);
      keys.push(`${base}:rate`, `${base}:facts`, `${base}:position`);
      batch.push([
        String(ping.at),
        ping.position,
        point === null ? '' : String(point.lng),
        point === null ? '' : String(point.lat),
        ping.member,
      ]);
    }
    const args: (string | number)[] = [
      sets.length,
      ...sets,
      first.rate === null ? 0 : first.rate.limit,
      first.rate === null ? 1 : first.rate.windowMs,
      positiveTtlMs(first.positionTtlMs),
      JSON.stringify(batch),
    ];
    const replies = await runScript(this.redis, PING, keys, args);
    if (!Array.isArray(replies)) {
      throw new Error(`unexpected reply to the ping script: ${JSON.stringify(replies)}`);
    }
    const list: unknown[] = replies;
    if (list.length !== pings.length) {
      throw new Error(`the ping script answered ${list.length} replies for ${pings.length} pings`);
    }
    return list.map(parse);
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
    return `${this.memberBase(member)}:${part}`;
  }

  /** A member's keys without their part: `<prefix>live:{<member>}`. */
  private memberBase(member: string): string {
    return redisKey(this.prefix, 'live', `{${member}}`);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw closedError();
    }
  }
}

function closedError(): Error {
  return new Error('live state is closed');
}

type PingReply =
  | { outcome: 'rate_limited'; retryAfterMs: number }
  | { outcome: 'no_facts' }
  | { outcome: 'stale'; facts: string }
  | { outcome: 'accepted'; facts: string; set: string; indexed: boolean };

/** Every reply but an acceptance, which each path shapes itself. */
type NotAccepted = Exclude<PingReply, { outcome: 'accepted' }>;

/**
 * A ping's reply, its acceptance as `accepted` makes it; its own failure (code
 * 9) as an Error for that ping alone.
 */
function readPingReply<A>(
  reply: unknown,
  accepted: (facts: string, set: string, indexed: boolean) => A,
): NotAccepted | A | Error {
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
      return accepted(first, second, third === '1');
    }
    if (code === 9) {
      return new Error(`the ping script failed: ${String(first)}`);
    }
  }
  throw new Error(`unexpected reply to the ping script: ${JSON.stringify(reply)}`);
}

const acceptedWithSet = (facts: string, set: string, indexed: boolean): PingReply => ({
  outcome: 'accepted',
  facts,
  set,
  indexed,
});
const acceptedResult = (facts: string): LivePingResult => ({ outcome: 'accepted', facts });

/** Redis Cluster: the reply with the set the facts name, which the geo write that follows needs. */
function parsePingReply(reply: unknown): PingReply | Error {
  return readPingReply(reply, acceptedWithSet);
}

/** Standalone Redis: the reply as the ping's result; the script placed the member in its set itself. */
function parseBatchReply(reply: unknown): LivePingResult | Error {
  return readPingReply(reply, acceptedResult);
}
