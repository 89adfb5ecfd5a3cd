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
import { BookingStopsRepository } from './booking-stops.repository';
import { BookingStopsService } from './booking-stops.service';
import { UploadsRepository } from '../uploads/uploads.repository';
import { isId } from '../../platform/db/ids';
import { UsersRepository } from '../users/users.repository';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { BOOKING_STATUS_CHANGED, BOOKING_STOP_CHANGED } from '../events/booking-events';
import { LiveEta, type RoutedTravelTimes } from './live-eta';
import { BookingReadCache } from './booking-read-cache';
import { HandoverPinsRepository } from './handover-pins.repository';
import { HandoverPinsService } from './handover-pins.service';
import { SecretBox } from '../../lib/secret-box';

export interface BookingCoreDeps {
  platform: Platform;
  pricing: BookingPricing;
  presence: DriverLocator;
  drivers: DriverDirectory;
  /** The live ETA (`createLiveEta`), which the drivers' ping path feeds too. */
  liveEta: LiveEta;
}

/**
 * Bookings, wired from the platform: `/v1/bookings*` and `/v1/admin/bookings*`
 * (api role); the activation of scheduled bookings and the live ETA's move to
 * each new leg (worker role); the live ETA's gate sweep (every role). Finding a
 * driver for them is the dispatch module's.
 */
export interface BookingCore extends LoadlineModule {
  readonly service: BookingsService;
  readonly activation: ActivationScheduler;
  readonly liveEta: LiveEta;
  readonly pins: HandoverPinsService;
  readonly readCache: BookingReadCache;
  startWorkers(): void;
}

/** Consumer of status changes that moves a trip's live ETA to its next leg. */
export const LIVE_ETA_CONSUMER = 'eta.leg';
/** Consumer of stop moves that moves a trip's live ETA on to its next stop. */
export const LIVE_ETA_STOP_CONSUMER = 'eta.stop';

/** The live ETA of active trips (ADR 0022), built before the drivers module whose pings feed it. */
export function createLiveEta(deps: {
  platform: Pick<Platform, 'cache' | 'router' | 'clock' | 'logger'>;
  travel: RoutedTravelTimes;
  sink: RealtimeSink;
}): LiveEta {
  const { cache, router, clock, logger } = deps.platform;
  return new LiveEta({
    cache,
    router,
    clock,
    bookings: new BookingsRepository(),
    stops: new BookingStopsRepository(),
    travel: deps.travel,
    sink: deps.sink,
    logger: logger.child({ module: 'live-eta' }),
  });
}

export function createBookingCore({
  platform,
  pricing,
  presence,
  drivers,
  liveEta,
}: BookingCoreDeps): BookingCore {
  const { router, ids, clock, outbox, queue, relay, config, logger } = platform;
  const bookings = new BookingsRepository();
  const stops = new BookingStopsRepository();
  const readCache = new BookingReadCache(platform.cache, logger.child({ module: 'booking-read-cache' }));
  const pins = new HandoverPinsService({
    router,
    clock,
    readCache,
    bookings,
    stops,
    pins: new HandoverPinsRepository(),
    box: new SecretBox(config.webhooks.secretKey),
  });
  const onCommitted = (): void => {
    relay.poke();
    void platform.lists.invalidate(BOOKINGS_LIST);
  };
  const service = new BookingsService({
    router,
    ids,
    clock,
    outbox,
    bookings,
    stops,
    pricing,
    presence,
    drivers,
    eta: liveEta,
    stopDistance: config.stops,
    readCache,
    pins,
    handoverPinsDefault: config.stops.handoverPinsDefault,
    scheduledLeadMinutes: config.dispatch.scheduledLeadMinutes,
    idempotency: new IdempotencyKeys({ bookings, clock }),
    onCommitted,
  });
  const uploads = new UploadsRepository();
  const stopsService = new BookingStopsService({
    router,
    clock,
    outbox,
    bookings,
    stops,
    bookingsService: service,
    presence,
    readCache,
    pins,
    uploads: {
      find: async (uploadId) => {
        const row = isId(uploadId) ? await uploads.findById(router.forId(uploadId).db, uploadId) : undefined;
        return row === undefined ? null : { ownerId: row.owner_id, bookingId: row.booking_id };
      },
    },
    maxDistanceM: config.stops.maxDistanceM,
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

  return {
    name: 'bookings',
    service,
    activation,
    liveEta,
    pins,
    readCache,
    routes: (authenticator) => [
      bookingsRoutes({ bookings: service, stops: stopsService, pins, authenticator }),
      adminBookingsRoutes({
        bookings: new AdminBookingsService({
          router,
          bookings,
          users: new UsersRepository(),
          lists: platform.lists,
        }),
        pins,
        authenticator,
      }),
    ],
    startWorkers(): void {
      registerBookingActivationJob(queue, activation);
      relay.consume(BOOKING_STATUS_CHANGED, LIVE_ETA_CONSUMER, (event) =>
        liveEta.statusChanged(event.payload.bookingId),
      );
      relay.consume(BOOKING_STOP_CHANGED, LIVE_ETA_STOP_CONSUMER, (event) =>
        liveEta.statusChanged(event.payload.bookingId),
      );
    },
    start(): Promise<void> {
      liveEta.start();
      return Promise.resolve();
    },
    stopping(): void {
      liveEta.stop();
    },
  };
}
