import type { LoadlineModule } from '../module';
import type { Platform } from '../../platform/platform';
import { ActivationScheduler, registerBookingActivationJob } from './booking-activation.job';
import { adminBookingsRoutes } from './admin-bookings.routes';
import { bookingsRoutes } from './bookings.routes';
import { BookingsRepository } from './bookings.repository';
import { AdminBookingsService, BOOKINGS_LIST } from './admin-bookings.service';
import {
  BookingsService,
  type BookingPricing,
  type DriverDirectory,
  type DriverLocator,
} from './bookings.service';
import { IdempotencyKeys } from './idempotency';
import { UsersRepository } from '../users/users.repository';

export interface BookingCoreDeps {
  platform: Platform;
  pricing: BookingPricing;
  presence: DriverLocator;
  drivers: DriverDirectory;
}

/**
 * Bookings, wired from the platform: `/v1/bookings*` and `/v1/admin/bookings*`
 * (api role); the activation of scheduled bookings (worker role). Finding a
 * driver for them is the dispatch module's.
 */
export interface BookingCore extends LoadlineModule {
  readonly service: BookingsService;
  readonly activation: ActivationScheduler;
  startWorkers(): void;
}

export function createBookingCore({ platform, pricing, presence, drivers }: BookingCoreDeps): BookingCore {
  const { router, ids, clock, outbox, queue, relay, config, logger } = platform;
  const bookings = new BookingsRepository();
  const service = new BookingsService({
    router,
    ids,
    clock,
    outbox,
    bookings,
    pricing,
    presence,
    drivers,
    scheduledLeadMinutes: config.dispatch.scheduledLeadMinutes,
    idempotency: new IdempotencyKeys({ bookings, clock }),
    onCommitted: () => {
      relay.poke();
      void platform.lists.invalidate(BOOKINGS_LIST);
    },
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

  return {
    name: 'bookings',
    service,
    activation,
    routes: (authenticator) => [
      bookingsRoutes({ bookings: service, authenticator }),
      adminBookingsRoutes({
        bookings: new AdminBookingsService({
          router,
          bookings,
          users: new UsersRepository(),
          lists: platform.lists,
        }),
        authenticator,
      }),
    ],
    startWorkers(): void {
      registerBookingActivationJob(queue, activation);
    },
  };
}
