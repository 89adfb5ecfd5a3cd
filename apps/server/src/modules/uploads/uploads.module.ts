import type { Platform } from '../../platform/platform';
import type { BlobStore } from '../../platform/blobs/blob-store.port';
import type { Authenticator } from '../auth/authenticator';
import type { BookingsService } from '../bookings/bookings.service';
import { DriversRepository } from '../drivers/drivers.repository';
import type { LoadlineModule, RoutePlugin } from '../module';
import { uploadsRoutes } from './uploads.routes';
import { UploadsRepository } from './uploads.repository';
import { UploadsService } from './uploads.service';

export interface UploadsModuleDeps {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'blobs'>;
  bookings: Pick<BookingsService, 'get'>;
}

export interface UploadsModule extends LoadlineModule {
  readonly service: UploadsService;
  routes(authenticator: Authenticator): readonly RoutePlugin[];
}

/** Proof-of-delivery files (ADR 0025): uploaded by the driver on a trip, read by whoever may read the booking. */
export function createUploads({ platform, bookings }: UploadsModuleDeps): UploadsModule {
  const drivers = new DriversRepository();
  const blobs: BlobStore = platform.blobs;
  const service = new UploadsService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    blobs,
    uploads: new UploadsRepository(),
    activeBookingOf: async (driverId) => {
      const row = await drivers.findPresence(platform.router.forId(driverId).db, driverId);
      return row?.active_booking_id ?? null;
    },
    assertReadable: async (caller, bookingId) => {
      await bookings.get(caller, bookingId);
    },
  });
  return {
    service,
    name: 'uploads',
    routes: (authenticator) => [uploadsRoutes({ uploads: service, authenticator })],
  };
}
