import type { FleetUpdateEvent, Overview } from '@loadline/contracts';
import type { Cache } from '../platform/cache/cache.port';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { FleetBoard } from '../platform/fleet/fleet-board.port';
import { rooms, type RealtimeSink } from '../platform/realtime/realtime-sink.port';

/** Admin fleet maps get at most two batches a second. */
export const FLEET_BATCH_MS = 500;
/** Overview figures are pushed at most once a second, and only when they change. */
export const METRICS_INTERVAL_MS = 1000;

export interface LiveFeedsDeps {
  board: FleetBoard;
  cache: Cache;
  sink: RealtimeSink;
  clock: Clock;
  overview: () => Promise<Overview>;
  /** Whether any admin is connected anywhere; nothing is computed for an empty room. */
  adminsPresent: () => Promise<boolean>;
  logger: Logger;
}

/**
 * The admin live feeds, run by worker processes: `fleetUpdate` batches of the
 * drivers that changed since the last batch, and `metrics` when the overview
 * changes. Whichever worker holds the window's lead pushes; the others skip.
 * The overview is computed only while some admin is connected.
 */
export class LiveFeeds {
  private fleetTimer: NodeJS.Timeout | null = null;
  private metricsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: LiveFeedsDeps) {}

  start(): void {
    this.fleetTimer = setInterval(() => {
      this.pushFleet().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'fleet batch failed'));
    }, FLEET_BATCH_MS);
    this.metricsTimer = setInterval(() => {
      this.pushMetrics().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'metrics push failed'),
      );
    }, METRICS_INTERVAL_MS);
    this.fleetTimer.unref();
    this.metricsTimer.unref();
  }

  stop(): void {
    for (const timer of [this.fleetTimer, this.metricsTimer]) {
      if (timer !== null) {
        clearInterval(timer);
      }
    }
    this.fleetTimer = null;
    this.metricsTimer = null;
  }

  /** Sends the drivers changed since the last batch to fleet subscribers; true when something went out. */
  async pushFleet(): Promise<boolean> {
    if (!(await this.deps.board.tryLead(FLEET_BATCH_MS))) {
      return false;
    }
    const { changed, removed } = await this.deps.board.takeChanges();
    if (changed.length === 0 && removed.length === 0) {
      return false;
    }
    const event: FleetUpdateEvent = {
      at: new Date(this.deps.clock.now()).toISOString(),
      full: false,
      drivers: changed,
      removed,
    };
    this.deps.sink.deliver({ rooms: [rooms.fleet], event: 'fleetUpdate', data: event });
    return true;
  }

  /** The whole map, for an admin who just subscribed. */
  async snapshot(): Promise<FleetUpdateEvent> {
    return {
      at: new Date(this.deps.clock.now()).toISOString(),
      full: true,
      drivers: await this.deps.board.all(),
      removed: [],
    };
  }

  /** Pushes the overview to admins when it differs from the last push; true when pushed. */
  async pushMetrics(): Promise<boolean> {
    if (!(await this.deps.adminsPresent())) {
      return false;
    }
    if (!(await this.deps.cache.setIfAbsent('lead:metrics', String(process.pid), 1))) {
      return false;
    }
    const overview = await this.deps.overview();
    const encoded = JSON.stringify(overview);
    if ((await this.deps.cache.get('metrics:last')) === encoded) {
      return false;
    }
    await this.deps.cache.set('metrics:last', encoded, 3600);
    this.deps.sink.deliver({ rooms: [rooms.admin], event: 'metrics', data: overview });
    return true;
  }
}
