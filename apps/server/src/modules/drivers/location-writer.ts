import type { Logger } from '../../lib/logger';
import { groupByShard, type ShardRouter } from '../../platform/db/shard-router';
import type { BreadcrumbRow, BreadcrumbsRepository } from '../tracking/breadcrumbs.repository';
import type { DriversRepository, StoredPosition } from './drivers.repository';

/** Where accepted pings go to reach SQL. */
export interface LocationSink {
  /**
   * Queues the driver's position (and, during a trip, a breadcrumb of the
   * booking's path) for SQL; never waits for the database.
   */
  enqueue(
    driverId: string,
    position: StoredPosition & { speedKmh?: number | null },
    bookingId?: string | null,
  ): void;
}

export interface LocationWriterDeps {
  router: Pick<ShardRouter, 'forId' | 'shards'>;
  drivers: Pick<DriversRepository, 'updateLastPositions'>;
  breadcrumbs: Pick<BreadcrumbsRepository, 'insertMany'>;
  logger: Logger;
  /** How often queued breadcrumbs are written (default 1000 ms). */
  intervalMs?: number;
  /**
   * How often each driver's last position is written (default 5000 ms): SQL
   * holds the last known position for when the live state has none, so it may
   * trail the live one by this much; the live state has every ping at once.
   */
  positionsIntervalMs?: number;
  /** Flush early when this many breadcrumbs are waiting (default 5000). */
  maxBreadcrumbs?: number;
}

/**
 * Rows per statement for last positions (12 placeholders a row). Small enough
 * that building one statement never stalls the event loop for long; the
 * writes still grow with shards and time, not with the ping rate.
 */
const POSITIONS_PER_STATEMENT = 100;

/**
 * Buffers what pings leave in SQL: each driver's last position (coalesced,
 * newest wins) and the breadcrumbs of active trips. Breadcrumbs are written
 * every second (or when many wait), last positions every few seconds, with
 * multi-row statements per shard and table, so SQL writes grow with shards and
 * time, not with the ping rate.
 */
export class LocationWriter implements LocationSink {
  private positions = new Map<string, StoredPosition>();
  private crumbs: BreadcrumbRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> = Promise.resolve(0);
  private readonly intervalMs: number;
  private readonly positionsIntervalMs: number;
  private readonly maxBreadcrumbs: number;
  /** When the last positions were last taken for a write (epoch ms of the process clock). */
  private positionsTakenAt = Date.now();

  constructor(private readonly deps: LocationWriterDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.positionsIntervalMs = deps.positionsIntervalMs ?? 5000;
    this.maxBreadcrumbs = deps.maxBreadcrumbs ?? 5000;
  }

  enqueue(
    driverId: string,
    position: StoredPosition & { speedKmh?: number | null },
    bookingId: string | null = null,
  ): void {
    const queued = this.positions.get(driverId);
    if (queued === undefined) {
      this.positions.set(driverId, {
        lat: position.lat,
        lng: position.lng,
        heading: position.heading,
        at: position.at,
      });
    } else if (position.at >= queued.at) {
      // In place: the entry waits seconds for its write, so a new object per ping would outlive
      // scavenges and be promoted. A write in progress holds the map taken before it, never this one.
      queued.lat = position.lat;
      queued.lng = position.lng;
      queued.heading = position.heading;
      queued.at = position.at;
    }
    if (bookingId !== null) {
      this.crumbs.push({
        booking_id: bookingId,
        at: position.at,
        driver_id: driverId,
        lat: position.lat,
        lng: position.lng,
        heading: position.heading,
        speed_kmh: position.speedKmh ?? null,
      });
      if (this.crumbs.length >= this.maxBreadcrumbs) {
        this.flushQueued(false).catch(() => undefined);
      }
    }
  }

  /** Positions waiting for the next flush. */
  get size(): number {
    return this.positions.size;
  }

  /** Breadcrumbs waiting for the next flush. */
  get pendingBreadcrumbs(): number {
    return this.crumbs.length;
  }

  start(): void {
    if (this.timer !== null) {
      return;
    }
    // Ticks as often as the more frequent of the two writes wants.
    const tickMs = Math.min(this.intervalMs, this.positionsIntervalMs);
    this.timer = setInterval(() => {
      // Failures are logged by flushQueued(); the timer just tries again next tick.
      const positionsDue = Date.now() - this.positionsTakenAt >= this.positionsIntervalMs;
      this.flushQueued(positionsDue).catch(() => undefined);
    }, tickMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is still queued. */
  async stop(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.flush();
  }

  /** Writes everything queued; returns how many rows were written. Flushes never overlap. */
  flush(): Promise<number> {
    return this.flushQueued(true);
  }

  /** Writes the queued breadcrumbs, and the queued positions too when `withPositions`. */
  private flushQueued(withPositions: boolean): Promise<number> {
    const next = this.flushing.then(() => this.writeBatch(withPositions));
    this.flushing = next.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'location flush failed');
      return 0;
    });
    return next;
  }

  private async writeBatch(withPositions: boolean): Promise<number> {
    const positions = withPositions ? this.positions : new Map<string, StoredPosition>();
    const crumbs = this.crumbs;
    if (withPositions) {
      this.positions = new Map();
      this.positionsTakenAt = Date.now();
    }
    this.crumbs = [];
    if (positions.size === 0 && crumbs.length === 0) {
      return 0;
    }
    const positionsByShard = groupByShard(this.deps.router, [...positions], ([driverId]) => driverId);
    const crumbsByShard = groupByShard(this.deps.router, crumbs, (crumb) => crumb.booking_id);
    const results = await Promise.all(
      this.deps.router.shards.map(async (shard) => {
        let written = 0;
        const shardPositions = positionsByShard.get(shard) ?? [];
        for (let start = 0; start < shardPositions.length; start += POSITIONS_PER_STATEMENT) {
          const chunk = shardPositions.slice(start, start + POSITIONS_PER_STATEMENT);
          try {
            await this.deps.drivers.updateLastPositions(shard.db, chunk);
            written += chunk.length;
          } catch (error) {
            // Back in the queue unless a newer position arrived meanwhile; the next flush retries.
            for (const [driverId, position] of chunk) {
              this.requeuePosition(driverId, position);
            }
            this.deps.logger.warn({ err: error, shard: shard.label }, 'could not store driver positions');
          }
        }
        const shardCrumbs = crumbsByShard.get(shard) ?? [];
        if (shardCrumbs.length > 0) {
          try {
            await this.deps.breadcrumbs.insertMany(shard.db, shard.dialect, shardCrumbs);
            written += shardCrumbs.length;
          } catch (error) {
            this.crumbs.push(...shardCrumbs);
            this.deps.logger.warn({ err: error, shard: shard.label }, 'could not store breadcrumbs');
          }
        }
        return written;
      }),
    );
    return results.reduce((sum, count) => sum + count, 0);
  }

  private requeuePosition(driverId: string, position: StoredPosition): void {
    const queued = this.positions.get(driverId);
    if (queued === undefined || position.at >= queued.at) {
      this.positions.set(driverId, position);
    }
  }
}
