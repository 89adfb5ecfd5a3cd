import type { LoadlineModule } from '../module';
import type { Platform } from '../../platform/platform';
import { ActivationScheduler, registerBookingActivationJob } from './booking-activation.job';
import { registerBookingLifecycleConsumer } from './booking-lifecycle.consumer';
import { registerDispatchWaveJob } from '../dispatch/dispatch-wave.job';
import { DispatchSweeper, SweepTimer } from '../dispatch/dispatch-sweep';
import { registerRealtimeProjector } from './realtime-projector.consumer';
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
 * Bookings, dispatch and their background work, wired from the platform: the
 * routes of `/v1/bookings*`, `/v1/driver/offers*` and `/v1/admin/bookings*`
 * (api role); dispatch waves, the lifecycle consumer, scheduled activation and
 * the realtime projector (worker role).
 */
export interface BookingCore extends LoadlineModule {
  readonly service: BookingsService;
  readonly dispatch: DispatchService;
  readonly activation: ActivationScheduler;
  /** Runs dispatch steps whose queue jobs are overdue (ADR 0018). */
  readonly dispatchSweep: DispatchSweeper;
  startWorkers(): void;
  stopping(): void;
}

export function createBookingCore({ platform, pricing, presence, sink }: BookingCoreDeps): BookingCore {
  const { router, ids, clock, outbox, queue, geo, relay, config, logger } = platform;
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
  const dispatchSweep = new DispatchSweeper({
    router,
    clock,
    bookings,
    dispatch,
    logger: logger.child({ module: 'dispatch' }),
  });
  // Every worker sweeps: the SQL is the schedule, and each overdue step is claimed before it runs.
  const sweeps = new SweepTimer(
    [
      { name: 'scheduled activation', run: () => activation.sweep() },
      { name: 'overdue dispatch', run: () => dispatchSweep.sweep() },
    ],
    logger.child({ module: 'scheduling' }),
    config.dispatch.sweepIntervalMs,
  );

  return {
    name: 'bookings',
    service,
    dispatch,
    activation,
    dispatchSweep,
    routes: (authenticator) => [
      bookingsRoutes({ bookings: service, authenticator }),
      dispatchRoutes({ dispatch, authenticator }),
      adminBookingsRoutes({
        bookings: new AdminBookingsService({ router, bookings, lists: platform.lists }),
        authenticator,
      }),
    ],
    startWorkers(): void {
      // A booking whose dispatch fails for good is expired and reported by these two.
      const failures = { bookingsService: service, logger: logger.child({ module: 'dispatch' }) };
      registerDispatchWaveJob(queue, dispatch, failures);
      registerBookingLifecycleConsumer({
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
      registerRealtimeProjector({
        relay,
        sink,
        router,
        bookings,
        offers,
        drivers: new DriversRepository(),
        presence,
        pricing,
      });
      sweeps.start();
    },
    stopping(): void {
      sweeps.stop();
    },
  };
}
