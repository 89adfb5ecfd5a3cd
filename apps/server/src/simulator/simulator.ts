import { randomBytes } from 'node:crypto';
import { VEHICLE_TYPES, type VehicleType } from '@loadline/contracts';
import type { Logger } from '../lib/logger';
import type { AgentContext } from './agent-context';
import { isDeliberateStop } from './agent-tasks';
import { HttpClient } from './api-client';
import { HandoverDesk } from './handover-desk';
import { LoadlineApi } from './loadline-api';
import { DEFAULT_AREA, type Area } from './paths';
import { Random } from '../lib/random';
import { vehicleTypeOf } from './sim-accounts';
import { SimCustomer, type RatingSupport } from './sim-customer';
import { SimDriver } from './sim-driver';
import { DEFAULT_SETTINGS, type SimSettings } from './sim-settings';
import { SimStats, type SimSnapshot } from './sim-stats';

export interface SimulatorOptions {
  /** The server's origin, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** Every simulated account's password: the same on every run that should reuse the accounts. */
  password: string;
  drivers: number;
  customers: number;
  /** New bookings per minute of wall time, across all customers (a Poisson process). */
  bookingsPerMinute: number;
  area?: Area;
  seed?: number;
  settings?: Partial<SimSettings>;
  logger: Logger;
  /** Called every `statusIntervalMs` and once more after the stop. */
  onStatus?: (snapshot: SimSnapshot) => void;
  statusIntervalMs?: number;
  /** Accounts set up at once (each login or signup costs the server a password hash). */
  setupConcurrency?: number;
  /**
   * The accounts are new (their password was made up for this run): each signs
   * up at once instead of first trying a login that cannot succeed.
   */
  newAccounts?: boolean;
}

/**
 * A booking rate the fleet can mostly serve: a driver finishes about one trip
 * in 20 simulated minutes, and not every driver is online or accepts.
 */
export function defaultBookingRate(drivers: number, timeScale = 1): number {
  return Math.max(1, Math.round((drivers / 10) * timeScale * 10) / 10);
}

type Agent = SimDriver | SimCustomer;

/**
 * A fleet of simulated drivers and customers driving a Loadline server
 * through its public REST routes and sockets only.
 */
export class Simulator {
  readonly stats: SimStats;
  private readonly ctx: AgentContext;
  private readonly drivers: SimDriver[];
  private readonly customers: SimCustomer[];
  private readonly started: Agent[] = [];
  private readonly stopController = new AbortController();
  private readonly bookingRandom: Random;
  private bookingTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private setup: Promise<void> = Promise.resolve();
  private startedAt = Date.now();
  private stopping: Promise<SimSnapshot> | null = null;
  private resolveFinished: (snapshot: SimSnapshot) => void = () => undefined;
  /** Resolves with the last snapshot once the simulator has stopped (by stop() or a signal handler). */
  readonly finished: Promise<SimSnapshot>;

  constructor(private readonly options: SimulatorOptions) {
    const settings: SimSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    const logger = options.logger.child({ module: 'simulator' });
    this.stats = new SimStats(logger);
    const http = new HttpClient({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      stopSignal: this.stopController.signal,
      onRateLimited: (path, seconds) => {
        this.stats.add('rateLimited');
        logger.debug({ path, retryAfterSeconds: seconds }, 'rate limited; backing off');
      },
    });
    this.ctx = {
      api: new LoadlineApi(http),
      stats: this.stats,
      settings,
      area: options.area ?? DEFAULT_AREA,
      logger,
      password: options.password,
      signInOrder: options.newAccounts === true ? 'signup-first' : 'login-first',
      handovers: new HandoverDesk(),
    };
    const root = new Random(options.seed ?? 1);
    this.bookingRandom = root.fork('bookings');
    const runId = randomBytes(4).toString('hex');
    const ratings: RatingSupport = { available: true };
    this.drivers = Array.from(
      { length: options.drivers },
      (_, i) => new SimDriver(i + 1, this.ctx, root.fork(`driver:${i + 1}`)),
    );
    // Demand follows the fleet: customers ask for the vehicle types it has.
    const mix = new Map<VehicleType, number>(
      options.drivers === 0 ? VEHICLE_TYPES.map((type) => [type, 1]) : [],
    );
    for (let i = 1; i <= options.drivers; i += 1) {
      mix.set(vehicleTypeOf(i), (mix.get(vehicleTypeOf(i)) ?? 0) + 1);
    }
    this.customers = Array.from(
      { length: options.customers },
      (_, i) => new SimCustomer(i + 1, this.ctx, root.fork(`customer:${i + 1}`), runId, mix, ratings),
    );
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** Checks the server answers, then brings the fleet up in the background and starts booking. */
  async start(): Promise<void> {
    try {
      await this.ctx.api.health();
    } catch (error) {
      throw new Error(
        `no Loadline server answers at ${this.ctx.api.http.baseUrl} (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    this.startedAt = Date.now();
    this.ctx.logger.info(
      {
        url: this.ctx.api.http.baseUrl,
        drivers: this.drivers.length,
        customers: this.customers.length,
        bookingsPerMinute: this.options.bookingsPerMinute,
        seed: this.options.seed ?? 1,
        timeScale: this.ctx.settings.timeScale,
      },
      'simulator starting',
    );
    const interval = this.options.statusIntervalMs ?? 5_000;
    this.statusTimer = setInterval(() => this.options.onStatus?.(this.snapshot()), interval);
    this.setup = this.setUpAgents();
    this.scheduleBooking();
  }

  /** Resolves once every account has been set up (or has failed to). */
  whenReady(): Promise<void> {
    return this.setup;
  }

  snapshot(): SimSnapshot {
    return this.stats.snapshot({
      elapsedSeconds: (Date.now() - this.startedAt) / 1000,
      driversReady: this.drivers.filter((driver) => driver.ready).length,
      driversOnline: this.drivers.filter((driver) => driver.isOnline).length,
      driversOnTrip: this.drivers.filter((driver) => driver.onTrip).length,
      customersReady: this.customers.filter((customer) => customer.ready).length,
    });
  }

  /** Stops booking, ends every plan, takes every driver offline and closes every socket. */
  stop(): Promise<SimSnapshot> {
    this.stopping ??= (async () => {
      this.ctx.logger.info('simulator stopping');
      if (this.bookingTimer !== null) {
        clearTimeout(this.bookingTimer);
      }
      if (this.statusTimer !== null) {
        clearInterval(this.statusTimer);
      }
      this.stopController.abort();
      await this.setup;
      // Customers first, so nothing new is booked while drivers sign off.
      await Promise.all(this.started.filter((a) => a instanceof SimCustomer).map((a) => a.stop()));
      await Promise.all(this.started.filter((a) => a instanceof SimDriver).map((a) => a.stop()));
      const last = this.snapshot();
      this.options.onStatus?.(last);
      this.ctx.logger.info({ errors: last.errors }, 'simulator stopped');
      this.resolveFinished(last);
      return last;
    })();
    return this.stopping;
  }

  /** Drivers and customers interleaved, so both sides come alive together under the auth rate limits. */
  private setupOrder(): Agent[] {
    const entries: { at: number; agent: Agent }[] = [
      ...this.drivers.map((agent, i) => ({ at: i / this.drivers.length, agent })),
      ...this.customers.map((agent, i) => ({ at: i / this.customers.length, agent })),
    ];
    return entries.sort((a, b) => a.at - b.at).map((entry) => entry.agent);
  }

  private async setUpAgents(): Promise<void> {
    const queue = this.setupOrder();
    const worker = async (): Promise<void> => {
      for (let agent = queue.shift(); agent !== undefined; agent = queue.shift()) {
        if (this.stopController.signal.aborted) {
          return;
        }
        this.started.push(agent);
        try {
          await agent.start();
        } catch (error) {
          if (!isDeliberateStop(error)) {
            this.stats.error('setup', error, { agent: describe(agent) });
          }
        }
      }
    };
    const concurrency = Math.max(1, this.options.setupConcurrency ?? 4);
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (!this.stopController.signal.aborted) {
      this.ctx.logger.info(
        {
          drivers: this.drivers.filter((driver) => driver.ready).length,
          customers: this.customers.filter((customer) => customer.ready).length,
        },
        'simulated accounts ready',
      );
    }
  }

  private scheduleBooking(): void {
    const rate = this.options.bookingsPerMinute;
    if (rate <= 0 || this.stopController.signal.aborted) {
      return;
    }
    this.bookingTimer = setTimeout(
      () => {
        const ready = this.customers.filter((customer) => customer.ready);
        if (ready.length > 0) {
          this.bookingRandom.pick(ready).book();
        }
        this.scheduleBooking();
      },
      this.bookingRandom.exponential(60_000 / rate),
    );
  }
}

function describe(agent: Agent): string {
  return agent instanceof SimDriver ? `driver ${agent.index}` : `customer ${agent.index}`;
}
