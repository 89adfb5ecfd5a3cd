import { Type, type Static } from '@sinclair/typebox';
import { Booking } from './bookings';
import { Id, Text, Timestamp } from './common';

/**
 * Integrations for customers' own systems: API keys (`Authorization: Bearer
 * llk_...`, acting as the customer within the key's scopes) and signed
 * webhooks with a delivery log.
 */

/** What an API key may do: read bookings and quotes, create and cancel them, manage webhooks. */
export const API_KEY_SCOPES = ['bookings:read', 'bookings:write', 'webhooks:manage'] as const;
export const ApiKeyScopeSchema = Type.Union(API_KEY_SCOPES.map((scope) => Type.Literal(scope)));
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The visible start of every API key. */
export const API_KEY_PREFIX = 'llk_';

export const CreateApiKeyBody = Type.Object(
  {
    name: Text({ maxLength: 80, required: true }),
    scopes: Type.Array(ApiKeyScopeSchema, {
      minItems: 1,
      maxItems: API_KEY_SCOPES.length,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

/** An API key as listed: never the key itself, only its visible prefix. */
export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  scopes: Type.Array(ApiKeyScopeSchema),
  prefix: Type.String({
    description: 'The first characters of the key (`llk_` and a few more), to tell keys apart.',
  }),
  createdAt: Timestamp,
});
export type ApiKey = Static<typeof ApiKey>;

/** The answer to creating a key: the key in full, this once. */
export const CreatedApiKey = Type.Composite([
  ApiKey,
  Type.Object({ key: Type.String({ description: 'Shown once; only its hash is stored.' }) }),
]);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

/** Kinds of webhook event; an endpoint subscribes to some of them. */
export const WEBHOOK_EVENT_TYPES = [
  'booking.status_changed',
  'booking.driver_assigned',
  'booking.stop_completed',
  'booking.stop_failed',
  'booking.cancelled',
  'booking.expired',
] as const;
export const WebhookEventTypeSchema = Type.Union(WEBHOOK_EVENT_TYPES.map((type) => Type.Literal(type)));
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, description: 'An http(s) URL on a public address.' }),
    events: Type.Array(WebhookEventTypeSchema, {
      minItems: 1,
      maxItems: WEBHOOK_EVENT_TYPES.length,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const Webhook = Type.Object({
  id: Id,
  url: Type.String(),
  events: Type.Array(WebhookEventTypeSchema),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')], {
    description: 'An endpoint failing for 3 days is disabled (and its owner told).',
  }),
  createdAt: Timestamp,
});
export type Webhook = Static<typeof Webhook>;

/** The answer to creating a webhook: its signing secret, this once. */
export const CreatedWebhook = Type.Composite([
  Webhook,
  Type.Object({ secret: Type.String({ description: 'Shown once: signs every delivery (HMAC-SHA256).' }) }),
]);
export type CreatedWebhook = Static<typeof CreatedWebhook>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const WebhookDelivery = Type.Object({
  id: Id,
  eventId: Id,
  type: WebhookEventTypeSchema,
  status: Type.Union(WEBHOOK_DELIVERY_STATUSES.map((status) => Type.Literal(status))),
  attempts: Type.Integer({ minimum: 0 }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryParams = Type.Object({ id: Id, deliveryId: Id }, { additionalProperties: false });

/** The JSON body of a delivery, as POSTed to the endpoint. */
export const WebhookEventBody = Type.Object({
  id: Id,
  type: WebhookEventTypeSchema,
  createdAt: Timestamp,
  data: Type.Object({
    booking: Booking,
  }),
});
export type WebhookEventBody = Static<typeof WebhookEventBody>;
