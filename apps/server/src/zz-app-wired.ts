import type { Config } from './config/config';
import type { Clock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { Authenticator } from './http/auth-guard';
import { createHttpServer, type HttpApp } from './http/http-server';
import { createPlatform, type Platform } from './platform/platform';
import { authRoutes } from './modules/auth/auth.routes';
import { AuthService } from './modules/auth/auth.service';
import { DriversRepository } from './modules/drivers/drivers.repository';
import { createBookingCore, type BookingCore } from './modules/bookings/bookings.module';
import { createPricing } from './modules/pricing/pricing.module';
import type { PricingService } from './modules/pricing/pricing.service';
import { createDrivers } from './modules/drivers/drivers.module';
import { UsersRepository } from './modules/users/users.repository';
import { createNotifications } from './modules/notifications/notifications.module';
import { RecordingSink } from './realtime/deliveries';

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
  auth: AuthService;
  authenticator: Authenticator;
  pricing: PricingService;
  bookingCore: BookingCore;
}

export interface LoadlineApp {
  readonly config: Config;
  readonly http: HttpApp;
  readonly platform: Platform;
  readonly services: Services;
  readonly roles: readonly ProcessRole[];
  /** Starts listening on the configured host and port; returns the bound address. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests, in-flight ones finish, jobs drain, pools close. */
  close(): Promise<void>;
}

/** The composition root: wires platform adapters, modules and the HTTP shell for the given roles. */
export async function createApp(options: CreateAppOptions): Promise<LoadlineApp> {
  const { config } = options;
  const roles = options.roles ?? PROCESS_ROLES;
  const logger = options.logger ?? createLogger(config.logLevel);
  const platform = await createPlatform(config, logger, {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
  });

  try {
    const users = new UsersRepository();
    const drivers = new DriversRepository();
    const auth = new AuthService({
      router: platform.router,
      ids: platform.ids,
      users,
      drivers,
      sessions: platform.sessions,
      outbox: platform.outbox,
      rateLimiter: platform.rateLimiter,
      clock: platform.clock,
      sessionTtlSeconds: config.sessionTtlSeconds,
      limits: { perIp: config.rateLimits.authPerIp, perEmail: config.rateLimits.authPerEmail },
      onCommitted: () => platform.relay.poke(),
    });

    const authenticator = new Authenticator(platform.sessions, platform.clock);
    const { app: http } = await createHttpServer({ config, logger, unreachable: () => platform.unreachable() });
    if (roles.includes('api')) {
      await http.register(
        authRoutes({
          auth,
          authenticator,
          sessionTtlSeconds: config.sessionTtlSeconds,
          cookieSecure: config.cookieSecure,
        }),
      );
    }

    // drivers module
    const driversModule = createDrivers({ platform });
    if (roles.includes('api')) {
      await http.register(driversModule.routes(authenticator));
      await http.register(driversModule.adminRoutes(authenticator));
    }
    if (roles.includes('worker')) {
      driversModule.registerJobs(platform.queue, platform.relay);
    }
    // http.close() runs this before platform.close() shuts the pools, so queued positions reach SQL.
    http.addHook('onClose', async () => {
      await driversModule.stop();
    });
    await driversModule.start();
    // end drivers module

    const pricing = createPricing(platform);
    const bookingCore = createBookingCore({ platform, pricing: pricing.service, presence: driversModule.service });
    if (roles.includes('api')) {
      await http.register(pricing.routes(authenticator));
      await bookingCore.registerRoutes(http, authenticator);
    }
    if (roles.includes('worker')) {
      bookingCore.startWorkers();
    }
    const sink = new RecordingSink();
    const notifications = createNotifications({ platform, sink });
    if (roles.includes('api')) {
      await http.register(notifications.routes(authenticator));
    }
    if (roles.includes('worker')) {
      notifications.registerJobs();
    }
    http.addHook('onClose', () => {
      bookingCore.stop();
      return Promise.resolve();
    });

    if (roles.includes('worker')) {
      platform.relay.start();
    }
    await http.ready();

    let closing: Promise<void> | null = null;
    return {
      config,
      http,
      platform,
      services: { auth, authenticator, pricing: pricing.service, bookingCore },
      roles,
      listen: () => http.listen({ host: config.host, port: config.port }),
      close: () => {
        closing ??= (async () => {
          await http.close();
          await platform.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await platform.close();
    throw error;
  }
}
