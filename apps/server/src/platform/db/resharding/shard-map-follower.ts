import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../../lib/clock';
import type { EventBus } from '../../bus/event-bus.port';
import { onShardFenced } from '../db-errors';
import { catalogShard, loadShardMap } from '../migrate';
import type { ShardPool } from '../shard-pool';
import type { ShardRouter } from '../shard-router';

/** Where a move announces a new map version (the followers also poll). */
export const SHARD_MAP_CHANNEL = 'loadline:shard-map';

/**
 * How often a process renews its acknowledgement when nothing changed; a
 * mover counts a process whose heartbeat is older than `ACK_FRESH_MS` as gone.
 */
const HEARTBEAT_MS = 3_000;
export const ACK_FRESH_MS = 10_000;

export interface ShardMapFollowerDeps {
  pool: ShardPool;
  router: ShardRouter;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** How often the map version is read and this process's heartbeat written. */
  intervalMs?: number;
}

/**
 * Keeps a process routing by the newest shard map (ADR 0024): it reads the
 * version on shard 0 every second, at once when a move announces a flip or a
 * shard refuses a write as fenced, and writes the version it routes by (its
 * acknowledgement, with a heartbeat) for the mover to wait on.
 */
export class ShardMapFollower {
  readonly instanceId = `${hostname().slice(0, 32)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopFenceHook: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private acknowledged: { version: number; at: number } | null = null;

  constructor(private readonly deps: ShardMapFollowerDeps) {}

  async start(): Promise<void> {
    await this.refresh();
    this.unsubscribe = await this.deps.bus.subscribe(SHARD_MAP_CHANNEL, () => this.poke());
    this.stopFenceHook = onShardFenced(() => this.poke());
    this.timer = setInterval(() => this.poke(), this.deps.intervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopFenceHook?.();
    await this.unsubscribe?.();
    await this.running;
    try {
      await catalogShard(this.deps.pool)
        .db.deleteFrom('shard_map_acks')
        .where('instance_id', '=', this.instanceId)
        .execute();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not remove the shard map heartbeat');
    }
  }

  /** Reads the map again soon; calls that arrive while one runs make one more. */
  poke(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.refresh()
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'could not read the shard map version');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async refresh(): Promise<void> {
    const { pool, router, clock } = this.deps;
    const catalog = catalogShard(pool).db;
    const state = await catalog
      .selectFrom('shard_map_state')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (state !== undefined && state.version > router.map.version) {
      const map = await loadShardMap(pool);
      if (router.follow(map)) {
        this.deps.logger.info({ version: map.version }, 'following a new shard map');
      }
    }
    // A write only when the version moved or the heartbeat is due: every process does this.
    const version = router.map.version;
    const now = clock.now();
    if (
      this.acknowledged !== null &&
      this.acknowledged.version === version &&
      now - this.acknowledged.at < HEARTBEAT_MS
    ) {
      return;
    }
    await catalog
      .insertInto('shard_map_acks')
      .values({ instance_id: this.instanceId, version, seen_at: now })
      .onDuplicateKeyUpdate({ version, seen_at: now })
      .execute();
    this.acknowledged = { version, at: now };
  }
}
