import type { Config } from '../../config/config';
import type { LoadlineModule } from '../module';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { Cache } from '../../platform/cache/cache.port';
import type { IdGenerator } from '../../platform/db/ids';
import type { GeoIndex } from '../../platform/geo/geo-index.port';
import { GreatCircleEstimator, RoutingServiceEstimator, type DistanceEstimator } from './distance-estimator';
import { loadPricingCatalog, type PricingCatalog } from './pricing-catalog';
import { pricingRoutes } from './pricing.routes';
import { PricingService } from './pricing.service';
import { RouteShapes } from './route-shapes';
import { routeShapeRoutes } from './route-shapes.routes';
import { SurgeEstimator } from './surge';

/** What the pricing module needs; a Platform has every field, so `createPricing(platform)` works too. */
export interface PricingModuleDeps {
  /** `generation` names the city (`CITY_CENTER`) the built-in region serves when there is no pricing file. */
  config: Pick<Config, 'pricing' | 'generation'>;
  cache: Cache;
  geo: GeoIndex;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
}

/** `/v1/quotes` and the region catalog, the price every booking is made at; `/v1/route`, the line maps draw. */
export interface PricingModule extends LoadlineModule {
  readonly service: PricingService;
  readonly catalog: PricingCatalog;
}

/**
 * Builds the pricing module from configuration. Reads and validates the
 * pricing file here, so a bad file stops the boot (PricingFileError, a
 * ConfigError naming the file and the bad path).
 */
export function createPricing(deps: PricingModuleDeps): PricingModule {
  const settings = deps.config.pricing;
  const logger = deps.logger.child({ module: 'pricing' });
  const catalog = loadPricingCatalog(settings.file, deps.config.generation);
  const greatCircle = new GreatCircleEstimator(catalog);
  const distance: DistanceEstimator =
    settings.routingUrl === null
      ? greatCircle
      : new RoutingServiceEstimator({ url: settings.routingUrl, fallback: greatCircle, logger });
  const surge = new SurgeEstimator({
    geo: deps.geo,
    cache: deps.cache,
    clock: deps.clock,
    resolution: settings.surgeH3Resolution,
    cap: settings.surgeMax,
  });
  const service = new PricingService({
    catalog,
    distance,
    surge,
    cache: deps.cache,
    ids: deps.ids,
    clock: deps.clock,
    quoteTtlSeconds: settings.quoteTtlSeconds,
  });
  const shapes = new RouteShapes({ url: settings.routingUrl, cache: deps.cache, logger });
  return {
    service,
    catalog,
    name: 'pricing',
    routes: (authenticator) => [
      pricingRoutes({ pricing: service, authenticator }),
      routeShapeRoutes({ shapes, authenticator }),
    ],
  };
}
