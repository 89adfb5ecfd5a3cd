import type { LoadlineModule } from '../module';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { BOOKINGS_LIST } from '../bookings/admin-bookings.service';
import { BookingsRepository } from '../bookings/bookings.repository';
import type { BookingCore } from '../bookings/bookings.module';
import type { BookingPricing } from '../bookings/bookings.service';
import { DriverClaimsRepository } from '../drivers/driver-claims.repository';
import type { DriverPresence } from '../drivers/driver-presence';
import { DriversRepository } from '../drivers/drivers.repository';
import { registerBookingLifecycleConsumer } from './booking-lifecycle.consumer';
import { DispatchSweeper, SweepTimer } from './dispatch-sweep';
import { registerDispatchWaveJob } from './dispatch-wave.job';
import { dispatchRoutes } from './dispatch.routes';
import { DispatchService } from './dispatch.service';
import { OfferReads } from './offer-reads';
import { OffersRepository } from './offers.repository';
import { registerRealtimeProjector } from './realtime-projector.consumer';

export interface DispatchModuleDeps {
  platform: Platform;
  bookings: Pick<BookingCore, 'service' | 'activation'>;
  pricing: BookingPricing;
  presence: DriverPresence;
  sink: RealtimeSink;
}

/**
 * Finding a driver: `/v1/driver/offers*` (api role); the lifecycle consumer
 * that starts and stops searches, the dispatch waves, the sweep of overdue
 * steps (and of due scheduled bookings) and the realtime projector (worker
 * role).
 */
export interface DispatchModule extends LoadlineModule {
  readonly service: DispatchService;
  /** Runs dispatch steps whose queue jobs are overdue (ADR 0018). */
  readonly sweeper: DispatchSweeper;
  startWorkers(): void;
  stopping(): void;
}

export function createDispatch({
  platform,
  bookings,
  pricing,
  presence,
  sink,
}: DispatchModuleDeps): DispatchModule {
  const { router, clock, outbox, queue, geo, relay, config, logger } = platform;
  const log = logger.child({ module: 'dispatch' });
  const bookingRows = new BookingsRepository();
  const offers = new OffersRepository();
  const service = new DispatchService({
    router,
    clock,
    geo,
    queue,
    outbox,
    bookings: bookingRows,
    bookingsService: bookings.service,
    offers,
    claims: new DriverClaimsRepository(router),
    presence,
    settings: config.dispatch,
    logger: log,
    onCommitted: () => {
      relay.poke();
      void platform.lists.invalidate(BOOKINGS_LIST);
    },
  });
  const sweeper = new DispatchSweeper({
    router,
    clock,
    bookings: bookingRows,
    dispatch: service,
    logger: log,
  });
  // Every worker sweeps: the SQL is the schedule, and each overdue step is claimed before it runs.
  const sweeps = new SweepTimer(
    [
      { name: 'scheduled activation', run: () => bookings.activation.sweep() },
      { name: 'overdue dispatch', run: (keepGoing) => sweeper.sweep(keepGoing) },
    ],
    logger.child({ module: 'scheduling' }),
    config.dispatch.sweepIntervalMs,
  );

  return {
    name: 'dispatch',
    service,
    sweeper,
    routes: (authenticator) => [dispatchRoutes({ dispatch: service, authenticator })],
    startWorkers(): void {
      // A booking whose dispatch fails for good is expired and reported by these two.
      const failures = { bookingsService: bookings.service, logger: log };
      registerDispatchWaveJob(queue, service, failures);
      registerBookingLifecycleConsumer({
        queue,
        relay,
        router,
        geo,
        clock,
        bookings: bookingRows,
        dispatch: service,
        activation: bookings.activation,
        ...failures,
      });
      registerRealtimeProjector({
        relay,
        sink,
        router,
        bookings: bookingRows,
        offerReads: new OfferReads(router, offers),
        drivers: new DriversRepository(),
        presence,
        pricing,
      });
      sweeps.start();
    },
    stopping(): void {
      void sweeps.stop();
    },
    // The pass in flight ends before the platform's pools and queue close under it.
    stop: () => sweeps.stop(),
  };
}
