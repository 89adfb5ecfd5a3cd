import type { Config } from './config/config';
import type { Clock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import type { Authenticator } from './modules/auth/authenticator';
import { createHttpServer, type HttpApp } from './http/http-server';
import { createPlatform, type Platform } from './platform/platform';
import { createAnalytics, type AnalyticsModule } from './modules/analytics/analytics.module';
import { createAccounts } from './modules/accounts/accounts.module';
import type { AccountsService } from './modules/accounts/accounts.service';
import { createAuth } from './modules/auth/auth.module';
import { createGeneration, type GenerationModule } from './modules/generation/generation.module';
import { createApiKeys, createIntegrations } from './modules/integrations/integrations.module';
import { USERS_LIST } from './modules/users/admin-users.service';
import { BOOKINGS_LIST } from './modules/bookings/admin-bookings.service';
import { DRIVERS_LIST } from './modules/drivers/driver-lists';
import { createBookingCore, createLiveEta, type BookingCore } from './modules/bookings/bookings.module';
import { createDispatch, type DispatchModule } from './modules/dispatch/dispatch.module';
import { createDrivers, type DriversModule } from './modules/drivers/drivers.module';
import type { LoadlineModule } from './modules/module';
import { createNotifications } from './modules/notifications/notifications.module';
import { createPricing } from './modules/pricing/pricing.module';
import { createSharing } from './modules/sharing/sharing.module';
import type { PricingService } from './modules/pricing/pricing.service';
import { createUsers } from './modules/users/users.module';
import { createUploads } from './modules/uploads/uploads.module';
import { DriversRepository } from './modules/drivers/drivers.repository';
import type { RealtimeSink } from './platform/realtime/realtime-sink.port';
import { SocketSink } from './realtime/deliveries';
import { registerGateway } from './realtime/gateway';
import { AdminPresence, adminsPresent } from './realtime/admin-presence';
import { LiveFeeds } from './realtime/live-feeds';
import { createSocketServer, type LoadlineServer, type SocketServerHandle } from './realtime/socket-server';

export const PROCESS_ROLES = ['api', 'realtime', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export interface CreateAppOptions {
  config: Config;
  logger?: Logger;
  roles?: readonly ProcessRole[];
  clock?: Clock;
  migrate?: boolean;
}

export interface Services {
  auth: AccountsService;
  authenticator: Authenticator;
  pricing: PricingService;
  drivers: DriversModule;
  bookingCore: BookingCore;
  dispatch: DispatchModule;
  liveFeeds: LiveFeeds;
  sink: RealtimeSink;
  analytics: AnalyticsModule;
  generation: GenerationModule;
}

export interface LoadlineApp {
  readonly config: Config;
  readonly http: HttpApp;
  readonly io: LoadlineServer;
  readonly platform: Platform;
  readonly services: Services;
  readonly roles: readonly ProcessRole[];
  /** Starts listening on the configured host and port; returns the bound address. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests or sockets, in-flight work finishes, buffers flush, pools close. */
  close(): Promise<void>;
}

/**
 * The composition root: wires platform adapters, modules, the HTTP shell and
 * the Socket.IO gateway for the given roles. `api` serves REST, `realtime`
 * serves sockets, `worker` runs the outbox relay, queue processors and live feeds.
 */
export async function createApp(options: CreateAppOptions): Promise<LoadlineApp> {
  const { config } = options;
  const roles = options.roles ?? PROCESS_ROLES;
  const has = (role: ProcessRole) => roles.includes(role);
  const logger = options.logger ?? createLogger(config.logLevel);
  const platform = await createPlatform(config, logger, {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
  });

  // Closed on a failed start too: its Redis connections would keep the process alive.
  let opened: SocketServerHandle | null = null;
  try {
    const { app: http, metrics } = await createHttpServer({
      config,
      logger,
      unreachable: () => platform.unreachable(),
    });
    // Every process can emit; only realtime processes accept sockets.
    const sockets = createSocketServer(config, logger, has('realtime') ? http.server : null);
    opened = sockets;
    const sink = new SocketSink(sockets.io);
    metrics.trackSockets(has('realtime') ? () => sockets.io.engine.clientsCount : () => 0);

    const apiKeys = createApiKeys(platform);
    const { authenticator, originPolicy } = createAuth(platform, config, apiKeys);
    const accounts = createAccounts({ platform, config, sink });
    const pricing = createPricing(platform);
    const liveEta = createLiveEta({ platform, travel: pricing.service, sink });
    const drivers = createDrivers({
      platform,
      sink,
      tripPositions: liveEta,
      pingBacklog: platform.config.pings.backlog,
      lastPositionFlushMs: platform.config.pings.lastPositionFlushMs,
    });
    const driverRows = new DriversRepository();
    const bookingCore = createBookingCore({
      platform,
      pricing: pricing.service,
      presence: drivers.presence,
      drivers: drivers.cards,
      liveEta,
    });
    const sharing = createSharing({
      platform,
      config,
      bookings: bookingCore.service,
      drivers: drivers.cards,
      presence: drivers.presence,
      eta: liveEta,
      sink,
    });
    const dispatch = createDispatch({
      platform,
      bookings: bookingCore,
      pricing: pricing.service,
      presence: drivers.presence,
      sink,
    });
    const notifications = createNotifications({ platform, sink });
    const analytics = createAnalytics(platform, pricing.catalog.defaultRegion.currency);
    const generation = createGeneration({
      platform,
      catalog: pricing.catalog,
      sink,
      onWritten: (entity) =>
        void platform.lists.invalidate(
          ...(entity === 'bookings' ? [BOOKINGS_LIST] : [USERS_LIST, DRIVERS_LIST]),
        ),
    });
    // In the order their routes register and their workers start.
    const modules: readonly LoadlineModule[] = [
      accounts,
      drivers,
      pricing,
      bookingCore,
      dispatch,
      notifications,
      analytics,
      generation,
      createUsers(platform),
      createUploads({
        platform,
        activeBookingOf: async (driverId) =>
          (await driverRows.findPresence(platform.router.forId(driverId).db, driverId))?.active_booking_id ??
          null,
        assertReadable: async (reader, bookingId) => {
          await bookingCore.service.readable(reader, bookingId);
        },
      }),
      sharing,
      createIntegrations({
        platform,
        apiKeys,
        bookings: bookingCore.service,
        notifier: notifications.service,
        registry: metrics.registry,
      }),
    ];
    const adminPresence = new AdminPresence({
      io: sockets.io,
      cache: platform.cache,
      logger: logger.child({ module: 'admin-presence' }),
    });
    const liveFeeds = new LiveFeeds({
      board: platform.fleet,
      cache: platform.cache,
      sink,
      clock: platform.clock,
      overview: () => analytics.overview.overview(),
      adminsPresent: () => adminsPresent(platform.cache),
      // After Redis comes back empty the board is refilled from SQL, as at boot.
      refill: () => drivers.presence.rebuildAvailability(),
      logger: logger.child({ module: 'live-feeds' }),
    });

    if (has('api')) {
      for (const module of modules) {
        for (const routes of module.routes?.(authenticator) ?? []) {
          await http.register(routes);
        }
      }
    }
    if (has('realtime')) {
      registerGateway({
        io: sockets.io,
        authenticator,
        sessions: platform.sessions,
        originPolicy,
        bookings: bookingCore.service,
        drivers: drivers.presence,
        sharing: sharing.service,
        fleet: {
          sendSnapshot: async (socket) => void socket.emit('fleetUpdate', await liveFeeds.snapshot()),
        },
        clock: platform.clock,
        eventRate: config.rateLimits.enabled ? config.rateLimits.socketEvents : null,
        logger: logger.child({ module: 'gateway' }),
      });
      adminPresence.start();
    }
    if (has('worker')) {
      for (const module of modules) {
        module.startWorkers?.();
      }
      liveFeeds.start();
      platform.relay.start();
    }

    // Sockets go first so clients reconnect elsewhere while this process drains.
    http.addHook('preClose', async () => {
      adminPresence.stop();
      liveFeeds.stop();
      for (const module of modules) {
        module.stopping?.();
      }
      await sockets.disconnect();
    });
    // Runs after in-flight requests; before platform.close() shuts the pools, so queued positions reach SQL.
    http.addHook('onClose', async () => {
      await Promise.all(modules.map(async (module) => module.stop?.()));
    });
    for (const module of modules) {
      await module.start?.();
    }
    await http.ready();

    let closing: Promise<void> | null = null;
    return {
      config,
      http,
      io: sockets.io,
      platform,
      services: {
        auth: accounts.service,
        authenticator,
        pricing: pricing.service,
        drivers,
        bookingCore,
        dispatch,
        liveFeeds,
        sink,
        analytics,
        generation,
      },
      roles,
      listen: () => http.listen({ host: config.host, port: config.port }),
      close: () => {
        closing ??= (async () => {
          await http.close();
          // The queue's last jobs may still emit: the adapter's connections close after them.
          await platform.close();
          await sockets.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await platform.close();
    await opened?.close();
    throw error;
  }
}
