import type { Registry } from 'prom-client';
import type { Authenticator } from '../auth/authenticator';
import type { LoadlineModule, RoutePlugin } from '../module';
import type { Platform } from '../../platform/platform';
import { ApiKeysRepository } from './api-keys.repository';
import { apiKeysRoutes } from './api-keys.routes';
import { ApiKeyService } from './api-keys.service';
import { registerWebhookDeliveriesConsumer } from './webhook-deliveries.consumer';
import { WebhookEndpointsCache } from './webhook-endpoints-cache';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookSender } from './webhook-sender';
import { SecretBox } from '../../lib/secret-box';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhooksRepository } from './webhooks.repository';
import { webhooksRoutes } from './webhooks.routes';
import { MAX_WEBHOOKS, WebhooksService, type BookingReader } from './webhooks.service';

type IntegrationsPlatform = Pick<
  Platform,
  'router' | 'ids' | 'clock' | 'rateLimiter' | 'config' | 'logger' | 'relay' | 'cache'
>;

/**
 * The API key service alone: the authenticator needs it to resolve `llk_`
 * keys, and is built before the modules are.
 */
export function createApiKeys(platform: Omit<IntegrationsPlatform, 'relay' | 'cache'>): ApiKeyService {
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

/** Tells a customer something that is not about a booking (the notifications module's service). */
export interface OwnerNotifier {
  notifyUser(notice: {
    userId: string;
    type: string;
    title: string;
    body: string;
    sourceKey: string;
    at: number;
  }): Promise<unknown>;
}

export interface IntegrationsModuleDeps {
  platform: IntegrationsPlatform;
  apiKeys: ApiKeyService;
  bookings: BookingReader;
  notifier: OwnerNotifier;
  /** The app's metrics registry (the webhook sender's metrics join it). */
  registry: Registry;
}

/** `/v1/api-keys*` and `/v1/webhooks*` for customers (api role); webhook deliveries and their sender (worker role). */
export interface IntegrationsModule extends LoadlineModule {
  routes(authenticator: Authenticator): readonly RoutePlugin[];
  startWorkers(): void;
}

/** Builds the integrations module; the composition root wires its parts per role. */
export function createIntegrations({
  platform,
  apiKeys,
  bookings,
  notifier,
  registry,
}: IntegrationsModuleDeps): IntegrationsModule {
  const settings = platform.config.webhooks;
  const logger = platform.logger.child({ module: 'webhooks' });
  const repository = new WebhooksRepository();
  const policy = new WebhookUrlPolicy(settings.allowPrivate);
  const secrets = new SecretBox(settings.secretKey);
  const endpoints = new WebhookEndpointsCache(platform.cache, repository, logger, MAX_WEBHOOKS);
  const sender = new WebhookSender({
    shards: platform.router.shards,
    webhooks: repository,
    endpoints,
    policy,
    secrets,
    clock: platform.clock,
    settings,
    metrics: new WebhookMetrics(registry),
    logger,
    onDisabled: async (endpoint) => {
      await notifier.notifyUser({
        userId: endpoint.customer_id,
        type: 'webhook_disabled',
        title: 'Webhook disabled',
        body: `Deliveries to ${endpoint.url.slice(0, 300)} failed for ${Math.round(settings.disableAfterMs / 3600_000)} hours, so it was disabled. Create it again once it answers.`,
        sourceKey: `webhook-disabled:${endpoint.id}`,
        at: platform.clock.now(),
      });
    },
  });
  const webhooks = new WebhooksService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    webhooks: repository,
    policy,
    secrets,
    bookings,
    endpoints,
    logger,
    onQueued: () => sender.poke(),
  });
  return {
    name: 'integrations',
    routes: (authenticator) => [
      apiKeysRoutes({ apiKeys, authenticator }),
      webhooksRoutes({ webhooks, authenticator }),
    ],
    startWorkers: () => {
      registerWebhookDeliveriesConsumer(platform.relay, webhooks);
      sender.start();
    },
    stopping: () => sender.stopping(),
    stop: () => sender.stop(),
  };
}
