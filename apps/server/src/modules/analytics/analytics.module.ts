import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import type { Platform } from '../../platform/platform';
import { AnalyticsRollup, registerAnalyticsRollup } from '../../jobs/analytics-rollup.job';
import { BookingsRepository } from '../bookings/bookings.repository';
import { analyticsRoutes } from './analytics.routes';
import { AnalyticsService } from './analytics.service';
import { rebuildRollups, type RebuildReport } from './rollup-rebuild';
import { RollupsRepository } from './rollups.repository';

export interface AnalyticsModule {
  readonly service: AnalyticsService;
  /** `/v1/admin/analytics` (api role). */
  routes(authenticator: Authenticator): (root: FastifyInstance) => Promise<void>;
  /** Keeps the roll-ups current from booking events (worker role). */
  registerJobs(): void;
  /** Recounts every roll-up from the bookings (maintenance; workers stopped). */
  rebuild(onProgress?: (bookings: number) => void): Promise<RebuildReport>;
}

export function createAnalytics(
  platform: Pick<Platform, 'router' | 'cache' | 'clock' | 'relay' | 'logger'>,
  currency: string,
): AnalyticsModule {
  const rollups = new RollupsRepository();
  const service = new AnalyticsService({
    router: platform.router,
    rollups,
    cache: platform.cache,
    clock: platform.clock,
    currency,
  });
  return {
    service,
    routes: (authenticator) => analyticsRoutes({ analytics: service, authenticator }),
    registerJobs: () => {
      registerAnalyticsRollup(
        platform.relay,
        new AnalyticsRollup({
          router: platform.router,
          rollups,
          bookings: new BookingsRepository(),
          clock: platform.clock,
          logger: platform.logger.child({ module: 'analytics' }),
        }),
      );
    },
    rebuild: (onProgress) => rebuildRollups({ router: platform.router, rollups }, onProgress),
  };
}
