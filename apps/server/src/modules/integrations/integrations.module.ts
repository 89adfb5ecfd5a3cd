import type { Authenticator } from '../auth/authenticator';
import type { LoadlineModule, RoutePlugin } from '../module';
import type { Platform } from '../../platform/platform';
import { ApiKeysRepository } from './api-keys.repository';
import { apiKeysRoutes } from './api-keys.routes';
import { ApiKeyService } from './api-keys.service';

type IntegrationsPlatform = Pick<Platform, 'router' | 'ids' | 'clock' | 'rateLimiter' | 'config' | 'logger'>;

/**
 * The API key service alone: the authenticator needs it to resolve `llk_`
 * keys, and is built before the modules are.
 */
export function createApiKeys(platform: IntegrationsPlatform): ApiKeyService {
  return new ApiKeyService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    keys: new ApiKeysRepository(),
    rateLimiter: platform.rateLimiter,
    rateRule: platform.config.rateLimits.apiKey,
    logger: platform.logger.child({ module: 'api-keys' }),
  });
}

export interface IntegrationsModuleDeps {
  platform: IntegrationsPlatform;
  apiKeys: ApiKeyService;
}

/** `/v1/api-keys*` for customers (api role). */
export interface IntegrationsModule extends LoadlineModule {
  routes(authenticator: Authenticator): readonly RoutePlugin[];
}

/** Builds the integrations module; the composition root wires its parts per role. */
export function createIntegrations({ apiKeys }: IntegrationsModuleDeps): IntegrationsModule {
  return {
    name: 'integrations',
    routes: (authenticator) => [apiKeysRoutes({ apiKeys, authenticator })],
  };
}
