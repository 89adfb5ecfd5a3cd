import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { VehicleTypeSchema, type FleetDriver } from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import { mergeFleetEntry, type FleetBoard, type FleetChanges } from './fleet-board.port';
import type { RedisClient } from '../redis';

/** Drivers per transaction of a window's write: about 40 KB of command. */
const DRIVERS_PER_WRITE = 250;

/** One driver's entry in the map, as every process writes and reads it. */
const FLEET_ENTRY = new StoredJson(
  'fleet board entry',
  Type.Object({
    id: Type.String(),
    lat: Type.Number(),
    lng: Type.Number(),
    status: Type.Union([Type.Literal('available'), Type.Literal('busy'), Type.Literal('offline')]),
    vehicleType: VehicleTypeSchema,
  }),
);

/*
 * Keys: `fleet:map` (hash id -> entry JSON), `fleet:changed` (set of ids),
 * `fleet:removed` (set of ids), `fleet:lead` (lock), `fleet:whole` (set once the
 * map has been refilled; gone with the map when Redis loses its data) and
 * `fleet:refill` (who refills it). Taking the changes renames the two sets away
 * in one MULTI, so concurrent writers never lose a change.
 */
/*
 * 1: the map is whole (or, at this process's first look, taken to be: every
 * process fills it from SQL as it boots); 2: claimed for a refill; 0: lost, and
 * someone else is refilling it.
 */
const CLAIM_REFILL_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
if ARGV[3] == 'first' then
  redis.call('SET', KEYS[1], '1')
  return 1
end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then
  return 2
end
return 0`;

const COMPLETE_REFILL_SCRIPT = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], '1')
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`;

const TAKE_SCRIPT = `
local changed = {}
local removed = {}
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[3])
  local ids = redis.call('SMEMBERS', KEYS[3])
  redis.call('DEL', KEYS[3])
  -- unpack() is limited to a few thousand values: read the hash in slices.
  for first = 1, #ids, 1000 do
    local slice = {}
    for index = first, math.min(first + 999, #ids) do
      slice[#slice + 1] = ids[index]
    end
    local values = redis.call('HMGET', KEYS[5], unpack(slice))
    for _, value in ipairs(values) do
      changed[#changed + 1] = value
    end
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[4])
  removed = redis.call('SMEMBERS', KEYS[4])
  redis.call('DEL', KEYS[4])
end
return { changed, removed }`;

/**
 * Cluster mode: the fleet map in Redis, shared by every process. Pings arrive
 * far more often than admins see batches, so each process gathers its writes
 * for `flushMs` and sends them in a few transactions: a few Redis commands
 * per window instead of several per ping. A window whose write fails is not lost:
 * its entries go back in front of the next window's (newer writes of a driver
 * win) and are sent again, and a failed write never holds up the ones after it.
 */
export class RedisFleetBoard implements FleetBoard {
  private readonly map: string;
  private readonly changed: string;
  private readonly removed: string;
  private readonly lead: string;
  private readonly whole: string;
  private readonly refill: string;
  private pendingUpserts = new Map<string, { driver: FleetDriver; at: number }>();
  private pendingRemovals = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Whether this process has looked at the whole-map marker yet. */
  private looked = false;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly flushMs = 200,
  ) {
    // One hash tag keeps the keys in one slot for the script under Redis Cluster.
    this.map = `${prefix}{fleet}:map`;
    this.changed = `${prefix}{fleet}:changed`;
    this.removed = `${prefix}{fleet}:removed`;
    this.lead = `${prefix}{fleet}:lead`;
    this.whole = `${prefix}{fleet}:whole`;
    this.refill = `${prefix}{fleet}:refill`;
  }

  /** Newest position wins among this process's writes of a window; across processes the last write wins. */
  upsert(driver: FleetDriver, positionAt = Number.MAX_SAFE_INTEGER): Promise<void> {
    this.pendingRemovals.delete(driver.id);
    this.pendingUpserts.set(
      driver.id,
      mergeFleetEntry(this.pendingUpserts.get(driver.id), driver, positionAt),
    );
    this.schedule();
    return Promise.resolve();
  }

  remove(driverId: string): Promise<void> {
    this.pendingUpserts.delete(driverId);
    this.pendingRemovals.add(driverId);
    this.schedule();
    return Promise.resolve();
  }

  /**
   * Sends what this process gathered; later calls wait for earlier ones, but each
   * settles on its own write: one that failed rejects only its own callers.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private schedule(): void {
    if (this.timer !== null || this.closed) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failed write is logged by nobody here: its entries are queued again and retried.
      this.flush().catch(() => undefined);
    }, this.flushMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const batch = { upserts: this.pendingUpserts, removals: this.pendingRemovals };
    this.pendingUpserts = new Map();
    this.pendingRemovals = new Set();
    if (batch.upserts.size === 0 && batch.removals.size === 0) {
      return;
    }
    try {
      await this.send(
        [...batch.upserts.values()].map((entry) => entry.driver),
        [...batch.removals],
      );
    } catch (error) {
      this.requeue(batch);
      this.schedule();
      throw error;
    }
  }

  /** Puts a batch that could not be sent back under what was gathered since; the newer entry of a driver wins. */
  private requeue(batch: {
    upserts: Map<string, { driver: FleetDriver; at: number }>;
    removals: Set<string>;
  }): void {
    for (const [id, entry] of batch.upserts) {
      if (this.pendingRemovals.has(id)) {
        continue;
      }
      const newer = this.pendingUpserts.get(id);
      this.pendingUpserts.set(
        id,
        newer === undefined ? entry : mergeFleetEntry(entry, newer.driver, newer.at),
      );
    }
    for (const id of batch.removals) {
      if (!this.pendingUpserts.has(id)) {
        this.pendingRemovals.add(id);
      }
    }
  }

  /**
   * A window's writes, DRIVERS_PER_WRITE drivers to a transaction: every
   * driver's entry and marks move together, and no command grows to hundreds of
   * kilobytes, which V8 would place straight in the old generation.
   */
  private async send(upserts: FleetDriver[], removals: string[]): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (let start = 0; start < upserts.length; start += DRIVERS_PER_WRITE) {
      const ids: string[] = [];
      const fields: string[] = [];
      for (const driver of upserts.slice(start, start + DRIVERS_PER_WRITE)) {
        ids.push(driver.id);
        fields.push(driver.id, FLEET_ENTRY.write(driver));
      }
      // Arguments go as flat arrays (ioredis flattens them), not spread.
      writes.push(
        this.redis.multi().hset(this.map, fields).sadd(this.changed, ids).srem(this.removed, ids).exec(),
      );
    }
    for (let start = 0; start < removals.length; start += DRIVERS_PER_WRITE) {
      const ids = removals.slice(start, start + DRIVERS_PER_WRITE);
      writes.push(
        this.redis
          .multi()
          .hdel(this.map, ...ids)
          .srem(this.changed, ids)
          .sadd(this.removed, ids)
          .exec(),
      );
    }
    await Promise.all(writes);
  }

  async all(): Promise<FleetDriver[]> {
    await this.flush();
    const entries = await this.redis.hvals(this.map);
    return entries.map((entry): FleetDriver => FLEET_ENTRY.read(entry));
  }

  async takeChanges(): Promise<FleetChanges> {
    await this.flush();
    const suffix = `${process.pid}:${Math.random().toString(36).slice(2)}`;
    const [changed, removed] = (await this.redis.eval(
      TAKE_SCRIPT,
      5,
      this.changed,
      this.removed,
      `${this.changed}:taking:${suffix}`,
      `${this.removed}:taking:${suffix}`,
      this.map,
    )) as [(string | null)[], string[]];
    return {
      changed: changed
        .filter((entry): entry is string => entry !== null)
        .map((entry): FleetDriver => FLEET_ENTRY.read(entry)),
      removed,
    };
  }

  async tryLead(windowMs: number): Promise<boolean> {
    return (await this.redis.set(this.lead, String(process.pid), 'PX', windowMs, 'NX')) === 'OK';
  }

  async claimRefill(holdMs: number): Promise<string | null> {
    const token = randomUUID();
    const answer = await this.redis.eval(
      CLAIM_REFILL_SCRIPT,
      2,
      this.whole,
      this.refill,
      token,
      holdMs,
      this.looked ? 'again' : 'first',
    );
    this.looked = true;
    return answer === 2 ? token : null;
  }

  async completeRefill(token: string): Promise<void> {
    // The refill's entries are on the map before it counts as whole.
    await this.flush();
    await this.redis.eval(COMPLETE_REFILL_SCRIPT, 2, this.whole, this.refill, token);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.flush().catch(() => undefined);
  }
}
