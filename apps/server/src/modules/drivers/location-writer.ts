import type { Logger } from '../../lib/logger';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { DriversRepository, StoredPosition } from './drivers.repository';

/** Where accepted pings go to reach SQL; the writer below is one implementation. */
export interface LocationSink {
  /** Queues the driver's position for SQL; never waits for the database. */
  enqueue(driverId: string, position: StoredPosition): void;
}

export interface LocationWriterDeps {
  router: Pick<ShardRouter, 'forId'>;
  drivers: Pick<DriversRepository, 'updateLastPosition'>;
  logger: Logger;
  /** How often queued positions are written (default 1000 ms). */
  intervalMs?: number;
}

/**
 * Keeps `drivers.last_*` current without one SQL write per ping: positions are
 * coalesced per driver (newest wins) and flushed every second, one UPDATE per
 * driver, shards in parallel. Breadcrumbs will replace it with multi-row
 * inserts; until then SQL writes grow with drivers, not with ping rate.
 */
export class LocationWriter implements LocationSink {
  private pending = new Map<string, StoredPosition>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> = Promise.resolve(0);
  private readonly intervalMs: number;

  constructor(private readonly deps: LocationWriterDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
  }

  enqueue(driverId: string, position: StoredPosition): void {
    const queued = this.pending.get(driverId);
    if (queued === undefined || position.at >= queued.at) {
      this.pending.set(driverId, position);
    }
  }

  /** Positions waiting for the next flush. */
  get size(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.timer !== null) {
      return;
    }
    this.timer = setInterval(() => {
      // Failures are logged by flush(); the timer just tries again next tick.
      this.flush().catch(() => undefined);
    }, this.intervalMs);
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

  /** Writes every queued position; returns how many were written. Flushes never overlap. */
  flush(): Promise<number> {
    const next = this.flushing.then(() => this.writeBatch());
    this.flushing = next.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'driver position flush failed');
      return 0;
    });
    return next;
  }

  private async writeBatch(): Promise<number> {
    if (this.pending.size === 0) {
      return 0;
    }
    const batch = this.pending;
    this.pending = new Map();
    const byShard = new Map<number, [string, StoredPosition][]>();
    for (const entry of batch) {
      const index = this.deps.router.forId(entry[0]).index;
      const list = byShard.get(index) ?? [];
      list.push(entry);
      byShard.set(index, list);
    }
    const written = await Promise.all(
      [...byShard.values()].map(async (entries) => {
        let count = 0;
        for (const [driverId, position] of entries) {
          try {
            await this.deps.drivers.updateLastPosition(
              this.deps.router.forId(driverId).db,
              driverId,
              position,
            );
            count += 1;
          } catch (error) {
            // Requeued unless a newer position arrived meanwhile; the next flush retries.
            this.enqueue(driverId, position);
            this.deps.logger.warn({ err: error, driverId }, 'could not store a driver position');
          }
        }
        return count;
      }),
    );
    return written.reduce((sum, count) => sum + count, 0);
  }
}
