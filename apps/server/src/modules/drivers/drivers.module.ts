import type { LoadlineModule } from '../module';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { DriverTripsSync, registerDriverTripsSync } from './driver-trips.consumer';
import { DriverCards } from './driver-cards';
import { DriverClaimsRepository } from './driver-claims.repository';
import { UsersRepository } from '../users/users.repository';
import { adminFleetRoutes } from './admin-fleet.routes';
import { DriverHistoryService } from './driver-history.service';
import { DriverTripsRepository } from './driver-trips.repository';
import { DriverLiveStore } from './driver-live.store';
import { DriverPresenceService } from './driver-presence.service';
import { DriversRepository } from './drivers.repository';
import { driversRoutes } from './drivers.routes';
import { FleetAdminService } from './fleet-admin.service';
import { LocationWriter } from './location-writer';
import { BreadcrumbsRepository } from '../tracking/breadcrumbs.repository';
import { BookingsRepository } from '../bookings/bookings.repository';
import type { TripPositionObserver } from '../bookings/live-eta';

export interface DriversModuleDeps {
  platform: Pick<
    Platform,
    | 'router'
    | 'cache'
    | 'live'
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
  /** LAST_POSITION_FLUSH_MS: how often each driver's last position is written to SQL. */
  lastPositionFlushMs: number;
  /** The live ETA, told of each position of an active trip. */
  tripPositions?: TripPositionObserver;
  /** PING_BACKLOG: pings at work from which the process coalesces a driver's pings. */
  pingBacklog: number;
}

/**
 * `/v1/driver/*` (drivers) and `/v1/admin/drivers*`, `/v1/admin/vehicles`
 * (admins); the driver-trips consumer (worker role); the availability index is
 * rebuilt and the position writer started in every role.
 */
export interface DriversModule extends LoadlineModule {
  /** Availability and the location hot path; also the `DriverPresence` for dispatch and bookings. */
  readonly presence: DriverPresenceService;
  /** The driver's own trip history and stats. */
  readonly history: DriverHistoryService;
  /** The admin's fleet views: drivers, vehicles, suspension. */
  readonly fleetAdmin: FleetAdminService;
  /** Who drives: name, phone and vehicle, for bookings' tracking answer. */
  readonly cards: DriverCards;
  /** The driver-trips consumer (`driver-jobs.sync`), for tests and tools that feed it events directly. */
  readonly tripsSync: DriverTripsSync;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the drivers module on a platform; the composition root wires its parts per role. */
export function createDrivers(deps: DriversModuleDeps): DriversModule {
  const { platform } = deps;
  const logger = platform.logger.child({ module: 'drivers' });
  const drivers = new DriversRepository();
  const trips = new DriverTripsRepository();
  const writer = new LocationWriter({
    router: platform.router,
    drivers,
    breadcrumbs: new BreadcrumbsRepository(),
    logger,
    positionsIntervalMs: deps.lastPositionFlushMs,
  });
  const live = new DriverLiveStore(platform.live);
  const presence = new DriverPresenceService({
    pingBacklog: deps.pingBacklog,
    router: platform.router,
    drivers,
    trips,
    live,
    locations: writer,
    geo: platform.geo,
    sink: deps.sink,
    fleet: platform.fleet,
    rateLimiter: platform.rateLimiter,
    clock: platform.clock,
    lists: platform.lists,
    ...(deps.tripPositions === undefined ? {} : { tripPositions: deps.tripPositions }),
  });
  const users = new UsersRepository();
  const history = new DriverHistoryService({
    router: platform.router,
    trips,
    drivers,
    bookings: new BookingsRepository(),
    users,
  });
  const fleetAdmin = new FleetAdminService({
    router: platform.router,
    drivers,
    users,
    live,
    presence,
    sessions: platform.sessions,
    sink: deps.sink,
    outbox: platform.outbox,
    clock: platform.clock,
    lists: platform.lists,
    onCommitted: () => platform.relay.poke(),
  });
  const tripsSync = new DriverTripsSync({
    router: platform.router,
    trips,
    claims: new DriverClaimsRepository(platform.router),
    presence,
    clock: platform.clock,
  });

  return {
    presence,
    cards: new DriverCards({ router: platform.router, drivers, cache: platform.cache }),
    history,
    fleetAdmin,
    tripsSync,
    name: 'drivers',
    routes: (authenticator) => [
      driversRoutes({ presence, history, authenticator }),
      adminFleetRoutes({ fleet: fleetAdmin, authenticator }),
    ],
    startWorkers: () => registerDriverTripsSync(platform.relay, tripsSync),
    start: async () => {
      const refreshed = await presence.rebuildAvailability();
      logger.info({ drivers: refreshed }, 'rebuilt driver availability');
      writer.start();
    },
    stop: () => writer.stop(),
  };
}
