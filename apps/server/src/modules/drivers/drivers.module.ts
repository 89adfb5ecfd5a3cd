import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import type { Platform } from '../../platform/platform';
import type { OutboxRelay } from '../../platform/outbox/outbox';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { DriverJobsSync, registerDriverJobsSync } from '../../jobs/driver-jobs.job';
import { DriverClaimsRepository } from '../dispatch/driver-claims.repository';
import { UsersRepository } from '../users/users.repository';
import { adminFleetRoutes } from './admin-fleet.routes';
import { DriverHistoryService } from './driver-history.service';
import { DriverJobsRepository } from './driver-jobs.repository';
import { DriverLiveStore } from './driver-live.store';
import { DriverPresenceService } from './driver-presence.service';
import { DriversRepository } from './drivers.repository';
import { driversRoutes } from './drivers.routes';
import { FleetAdminService } from './fleet-admin.service';
import { LocationWriter } from './location-writer';
import { BreadcrumbsRepository } from '../tracking/breadcrumbs.repository';

export type RoutePlugin = (root: FastifyInstance) => Promise<void>;

export interface DriversModuleDeps {
  platform: Pick<
    Platform,
    | 'router'
    | 'cache'
    | 'geo'
    | 'fleet'
    | 'rateLimiter'
    | 'sessions'
    | 'outbox'
    | 'relay'
    | 'clock'
    | 'logger'
    | 'lists'
  >;
  /** Where socket events go. */
  sink: RealtimeSink;
  /** How often queued driver positions are written to SQL (default 1000 ms). */
  locationFlushMs?: number;
}

export interface DriversModule {
  /** Availability and the location hot path; also the `DriverPresence` for dispatch and bookings. */
  readonly presence: DriverPresenceService;
  /** The driver's own job history and stats. */
  readonly history: DriverHistoryService;
  /** The admin's fleet views: drivers, vehicles, suspension. */
  readonly fleetAdmin: FleetAdminService;
  /** The `driver-jobs.sync` consumer, for tests and tools that feed it events directly. */
  readonly jobsSync: DriverJobsSync;
  /** `/v1/driver/*` (drivers only); register with `http.register(...)` in the api role. */
  routes(authenticator: Authenticator): RoutePlugin;
  /** `/v1/admin/drivers*` and `/v1/admin/vehicles` (admins only). */
  adminRoutes(authenticator: Authenticator): RoutePlugin;
  /** Routes `booking.status_changed` to `driver-jobs.sync` and consumes it here (worker role). */
  registerJobs(relay: OutboxRelay): void;
  /** Rebuilds the available-drivers geo index from SQL and starts the position writer. */
  start(): Promise<void>;
  /** Stops the position writer after writing what it holds; call before the shard pools close. */
  stop(): Promise<void>;
}

/** Builds the drivers module on a platform; the composition root wires its parts per role. */
export function createDrivers(deps: DriversModuleDeps): DriversModule {
  const { platform } = deps;
  const logger = platform.logger.child({ module: 'drivers' });
  const drivers = new DriversRepository();
  const jobs = new DriverJobsRepository();
  const writer = new LocationWriter({
    router: platform.router,
    drivers,
    breadcrumbs: new BreadcrumbsRepository(),
    logger,
    ...(deps.locationFlushMs === undefined ? {} : { intervalMs: deps.locationFlushMs }),
  });
  const live = new DriverLiveStore(platform.cache);
  const presence = new DriverPresenceService({
    router: platform.router,
    drivers,
    jobs,
    live,
    locations: writer,
    geo: platform.geo,
    sink: deps.sink,
    fleet: platform.fleet,
    rateLimiter: platform.rateLimiter,
    clock: platform.clock,
    lists: platform.lists,
  });
  const history = new DriverHistoryService({ router: platform.router, jobs, drivers });
  const fleetAdmin = new FleetAdminService({
    router: platform.router,
    drivers,
    users: new UsersRepository(),
    live,
    presence,
    sessions: platform.sessions,
    sink: deps.sink,
    outbox: platform.outbox,
    clock: platform.clock,
    lists: platform.lists,
    onCommitted: () => platform.relay.poke(),
  });
  const jobsSync = new DriverJobsSync({
    router: platform.router,
    jobs,
    claims: new DriverClaimsRepository(platform.router),
    presence,
    clock: platform.clock,
    logger: platform.logger.child({ module: 'driver-jobs' }),
  });

  return {
    presence,
    history,
    fleetAdmin,
    jobsSync,
    routes: (authenticator) => driversRoutes({ presence, history, authenticator }),
    adminRoutes: (authenticator) => adminFleetRoutes({ fleet: fleetAdmin, authenticator }),
    registerJobs: (relay) => registerDriverJobsSync(relay, jobsSync),
    start: async () => {
      const refreshed = await presence.rebuildAvailability();
      logger.info({ drivers: refreshed }, 'rebuilt driver availability');
      writer.start();
    },
    stop: () => writer.stop(),
  };
}
