import type { Platform } from '../../platform/platform';
import type { Authenticator } from '../auth/authenticator';
import type { LoadlineModule, RoutePlugin } from '../module';
import { uploadsRoutes } from './uploads.routes';
import { UploadsRepository } from './uploads.repository';
import { UploadsService, type UploadsServiceDeps } from './uploads.service';

export interface UploadsModuleDeps extends Pick<UploadsServiceDeps, 'activeBookingOf' | 'assertReadable'> {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'blobs'>;
}

export interface UploadsModule extends LoadlineModule {
  readonly service: UploadsService;
  routes(authenticator: Authenticator): readonly RoutePlugin[];
}

/**
 * Proof-of-delivery files (ADR 0025): uploaded by the driver on a trip, read by
 * whoever may read the booking. Which booking a driver is on, and who may read
 * a booking, come from the composition root, so uploads depends on neither the
 * drivers nor the bookings module (bookings uses uploads for stop proofs).
 */
export function createUploads({
  platform,
  activeBookingOf,
  assertReadable,
}: UploadsModuleDeps): UploadsModule {
  const service = new UploadsService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    blobs: platform.blobs,
    uploads: new UploadsRepository(),
    activeBookingOf,
    assertReadable,
  });
  return {
    service,
    name: 'uploads',
    routes: (authenticator) => [uploadsRoutes({ uploads: service, authenticator })],
  };
}
