import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import type { Platform } from '../../platform/platform';
import { ActivationScheduler, registerBookingActivationJob } from '../../jobs/booking-activation.job';
import { registerBookingLifecycleJob } from '../../jobs/booking-lifecycle.job';
import { registerDispatchWaveJob } from '../../jobs/dispatch-wave.job';
import { registerRealtimeProjectorJob } from '../../jobs/realtime-projector.job';
import { OverviewService } from '../analytics/overview.service';
import { OverviewRepository } from '../analytics/overview.repository';
import { DispatchService } from '../dispatch/dispatch.service';
import { dispatchRoutes } from '../dispatch/dispatch.routes';
import { DriverClaimsRepository } from '../dispatch/driver-claims.repository';
import { OffersRepository } from '../dispatch/offers.repository';
import type { DriverPresence } from '../drivers/driver-presence';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { adminBookingsRoutes } from './admin-bookings.routes';
import { bookingsRoutes } from './bookings.routes';
import { BookingsRepository } from './bookings.repository';
import { AdminBookingsService, BOOKINGS_LIST } from './admin-bookings.service';
import { BookingsService, type BookingPricing } from './bookings.service';
import { IdempotencyKeys } from './idempotency';
import { DriversRepository } from '../drivers/drivers.repository';

export interface BookingCoreDeps {
  platform: Platform;
  pricing: BookingPricing;
  presence: DriverPresence;
  sink: RealtimeSink;
}

/**
 * Bookings, dispatch and their background jobs, wired from the platform. The
 * API role registers the routes; the worker role runs the jobs.
 */
export function createBookingCore({ platform, pricing, presence, sink }: BookingCoreDeps) {
  const { router, ids, clock, outbox, queue, geo, cache, relay, config, logger } = platform;
  const bookings = new BookingsRepository();
  const offers = new OffersRepository();
  const claims = new DriverClaimsRepository(router);
  const onCommitted = () => {
    relay.poke();
    void platform.lists.invalidate(BOOKINGS_LIST);
  };

  const service = new BookingsService({
    router,
    ids,
    clock,
    outbox,
    bookings,
    pricing,
    presence,
    scheduledLeadMinutes: config.dispatch.scheduledLeadMinutes,
    idempotency: new IdempotencyKeys({ bookings, clock }),
    onCommitted,
  });
  const dispatch = new DispatchService({
    router,
    clock,
    geo,
    queue,
    outbox,
    bookings,
    bookingsService: service,
    offers,
    claims,
    presence,
    settings: config.dispatch,
    logger: logger.child({ module: 'dispatch' }),
    onCommitted,
  });
  const activation = new ActivationScheduler({
    queue,
    router,
    clock,
    bookings,
    bookingsService: service,
    leadMinutes: config.dispatch.scheduledLeadMinutes,
    logger: logger.child({ module: 'scheduling' }),
  });
  const overview = new OverviewService({ router, cache, clock, figures: new OverviewRepository() });

  return {
    service,
    dispatch,
    activation,
    overview,
    async registerRoutes(http: FastifyInstance, authenticator: Authenticator): Promise<void> {
      await http.register(bookingsRoutes({ bookings: service, authenticator }));
      await http.register(dispatchRoutes({ dispatch, authenticator }));
      await http.register(
        adminBookingsRoutes({
          bookings: new AdminBookingsService({ router, bookings, lists: platform.lists }),
          overview,
          authenticator,
        }),
      );
    },
    startWorkers(): void {
      // A booking whose dispatch fails for good is expired and reported by these two.
      const failures = { bookingsService: service, logger: logger.child({ module: 'dispatch' }) };
      registerDispatchWaveJob(queue, dispatch, failures);
      registerBookingLifecycleJob({
        queue,
        relay,
        router,
        geo,
        clock,
        bookings,
        dispatch,
        activation,
        ...failures,
      });
      registerBookingActivationJob(queue, activation);
      registerRealtimeProjectorJob({
        queue,
        relay,
        sink,
        router,
        bookings,
        offers,
        drivers: new DriversRepository(),
        presence,
        pricing,
      });
      activation.startSweeping();
    },
    stop(): void {
      activation.stopSweeping();
    },
  };
}

export type BookingCore = ReturnType<typeof createBookingCore>;
