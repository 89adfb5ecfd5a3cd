import type { Redis } from 'ioredis';
import type { FleetDriver } from '@loadline/contracts';
import type { FleetBoard, FleetChanges } from './fleet-board.port';

/*
 * Keys: `fleet:map` (hash id -> entry JSON), `fleet:changed` (set of ids),
 * `fleet:removed` (set of ids), `fleet:lead` (lock). Taking the changes renames
 * the two sets away in one MULTI, so concurrent writers never lose a change.
 */
const TAKE_SCRIPT = `
local changed = {}
local removed = {}
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[3])
  local ids = redis.call('SMEMBERS', KEYS[3])
  redis.call('DEL', KEYS[3])
  if #ids > 0 then
    changed = redis.call('HMGET', KEYS[5], unpack(ids))
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[4])
  removed = redis.call('SMEMBERS', KEYS[4])
  redis.call('DEL', KEYS[4])
end
return { changed, removed }`;

/** Cluster mode: the fleet map in Redis, shared by every process. */
export class RedisFleetBoard implements FleetBoard {
  private readonly map: string;
  private readonly changed: string;
  private readonly removed: string;
  private readonly lead: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    // One hash tag keeps the keys in one slot for the script under Redis Cluster.
    this.map = `${prefix}{fleet}:map`;
    this.changed = `${prefix}{fleet}:changed`;
    this.removed = `${prefix}{fleet}:removed`;
    this.lead = `${prefix}{fleet}:lead`;
  }

  async upsert(driver: FleetDriver): Promise<void> {
    await this.redis
      .multi()
      .hset(this.map, driver.id, JSON.stringify(driver))
      .sadd(this.changed, driver.id)
      .srem(this.removed, driver.id)
      .exec();
  }

  async remove(driverId: string): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.map, driverId)
      .srem(this.changed, driverId)
      .sadd(this.removed, driverId)
      .exec();
  }

  async all(): Promise<FleetDriver[]> {
    const entries = await this.redis.hvals(this.map);
    return entries.map((entry) => JSON.parse(entry) as FleetDriver);
  }

  async takeChanges(): Promise<FleetChanges> {
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
      changed: changed.filter((entry): entry is string => entry !== null).map((entry) => JSON.parse(entry) as FleetDriver),
      removed,
    };
  }

  async tryLead(windowMs: number): Promise<boolean> {
    return (await this.redis.set(this.lead, String(process.pid), 'PX', windowMs, 'NX')) === 'OK';
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
