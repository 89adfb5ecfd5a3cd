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
/** A refill of the fleet board that takes longer than this may be started again by another worker. */
export const FLEET_REFILL_HOLD_MS = 60_000;

export interface LiveFeedsDeps {
  board: FleetBoard;
  cache: Cache;
  sink: RealtimeSink;
  clock: Clock;
  overview: () => Promise<Overview>;
  /** Whether any admin is connected anywhere; nothing is computed for an empty room. */
  adminsPresent: () => Promise<boolean>;
  /**
   * Puts every online driver back on the board from SQL (resolving to how many),
   * for a board that Redis lost; without it the map fills again from the next pings only.
   */
  refill?: () => Promise<number>;
  logger: Logger;
}

/**
 * The admin live feeds, run by worker processes: `fleetUpdate` batches of the
 * drivers that changed since the last batch, and `metrics` when the overview
 * changes. Whichever worker holds the window's lead pushes; the others skip.
 * Both are computed only while some admin is connected. When Redis
 * comes back empty, one worker refills the board and sends admins the whole map.
 */
export class LiveFeeds {
  private fleetTimer: NodeJS.Timeout | null = null;
  private metricsTimer: NodeJS.Timeout | null = null;
  private refilling: Promise<void> | null = null;

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

  /**
   * Sends the drivers changed since the last batch to fleet subscribers; true when something went out.
   * While no admin is connected the changes stay on the board: the first batch after one connects
   * carries them (newest entries, as the board holds them), and a subscriber starts from the whole map.
   */
  async pushFleet(): Promise<boolean> {
    // Every worker looks, not only the leader: a worker's first look takes the map for whole, which
    // holds only just after its own boot filled it, so it must come then and not when it first leads.
    this.refillInBackground();
    if (!(await this.deps.adminsPresent()) || !(await this.deps.board.tryLead(FLEET_BATCH_MS))) {
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

  /**
   * Refills a board that was lost since this process first saw it when this caller wins the
   * claim, then sends fleet subscribers the whole map, so their maps drop what
   * went away meanwhile. True when it refilled.
   */
  async refillIfLost(): Promise<boolean> {
    const refill = this.deps.refill;
    if (refill === undefined) {
      return false;
    }
    const token = await this.deps.board.claimRefill(FLEET_REFILL_HOLD_MS);
    if (token === null) {
      return false;
    }
    const drivers = await refill();
    await this.deps.board.completeRefill(token);
    this.deps.logger.info({ drivers }, 'fleet board refilled');
    this.deps.sink.deliver({ rooms: [rooms.fleet], event: 'fleetUpdate', data: await this.snapshot() });
    return true;
  }

  /** A refill takes a while: batches keep going out meanwhile, and one refill runs at a time here. */
  private refillInBackground(): void {
    if (this.deps.refill === undefined || this.refilling !== null) {
      return;
    }
    this.refilling = this.refillIfLost()
      .then(
        () => undefined,
        (error: unknown) => this.deps.logger.warn({ err: error }, 'fleet board refill failed'),
      )
      .finally(() => {
        this.refilling = null;
      });
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
