import type { LoadlineModule } from '../module';
import { withLongQueries } from '../../platform/db/query-timeout';
import type { Platform } from '../../platform/platform';
import { AnalyticsRollup, registerAnalyticsRollup } from './analytics-rollup.consumer';
import { BookingsRepository } from '../bookings/bookings.repository';
import { analyticsRoutes } from './analytics.routes';
import { AnalyticsService } from './analytics.service';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';
import { UnfilledDemandRepository } from './unfilled-demand.repository';
import { rebuildRollups, type RebuildOptions, type RebuildReport } from './rollup-rebuild';
import { RollupsRepository } from './rollups.repository';

/**
 * `/v1/admin/analytics` and `/v1/admin/overview` (admins); keeps the roll-ups
 * current from booking events (worker role).
 */
export interface AnalyticsModule extends LoadlineModule {
  readonly service: AnalyticsService;
  /** The figures of right now, also pushed to admins by the live feeds. */
  readonly overview: OverviewService;
  /** Recounts every roll-up from the bookings, exactly, while the consumers keep counting events (maintenance). */
  rebuild(options?: RebuildOptions): Promise<RebuildReport>;
}

export function createAnalytics(
  platform: Pick<Platform, 'router' | 'cache' | 'clock' | 'relay'>,
  currency: string,
): AnalyticsModule {
  const rollups = new RollupsRepository();
  const service = new AnalyticsService({
    router: platform.router,
    rollups,
    unfilled: new UnfilledDemandRepository(),
    cache: platform.cache,
    clock: platform.clock,
    currency,
  });
  const overview = new OverviewService({
    router: platform.router,
    cache: platform.cache,
    clock: platform.clock,
    figures: new OverviewRepository(),
  });
  return {
    service,
    name: 'analytics',
    overview,
    routes: (authenticator) => [analyticsRoutes({ analytics: service, overview, authenticator })],
    startWorkers: () => {
      registerAnalyticsRollup(
        platform.relay,
        new AnalyticsRollup({
          router: platform.router,
          rollups,
          bookings: new BookingsRepository(),
        }),
      );
    },
    // Whole-shard statements: the long query timeout, not a request's.
    rebuild: (options) =>
      withLongQueries(() => rebuildRollups({ router: platform.router, rollups }, options)),
  };
}
