import type { LoadlineModule } from '../module';
import type { Config } from '../../config/config';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { BookingsService, DriverDirectory, DriverLocator } from '../bookings/bookings.service';
import type { LiveEta } from '../bookings/live-eta';
import { sharingRoutes } from './sharing.routes';
import { SharingRepository } from './sharing.repository';
import { SharingService } from './sharing.service';

export interface SharingModuleDeps {
  platform: Pick<Platform, 'router' | 'clock' | 'rateLimiter'>;
  config: Pick<Config, 'rateLimits'>;
  bookings: Pick<BookingsService, 'readable'>;
  drivers: DriverDirectory;
  presence: DriverLocator;
  eta: Pick<LiveEta, 'current'>;
  sink: RealtimeSink;
}

/** Share links and the public tracking view (`/v1/bookings/:id/share*`, `/v1/track/:token`); the gateway uses the service for share-token sockets. */
export interface SharingModule extends LoadlineModule {
  readonly service: SharingService;
}

export function createSharing(deps: SharingModuleDeps): SharingModule {
  const service = new SharingService({
    router: deps.platform.router,
    clock: deps.platform.clock,
    links: new SharingRepository(),
    bookings: deps.bookings,
    drivers: deps.drivers,
    presence: deps.presence,
    eta: deps.eta,
    rateLimiter: deps.platform.rateLimiter,
    trackPerIp: deps.config.rateLimits.trackPerIp,
    sink: deps.sink,
  });
  return {
    name: 'sharing',
    service,
    routes: (authenticator) => [sharingRoutes({ sharing: service, authenticator })],
  };
}
