import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateWebhookBody,
  CreatedWebhook,
  IdParams,
  Items,
  ListQuery,
  Page,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryParams,
} from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { WebhooksService } from './webhooks.service';

const routeErrors = errorResponses(400, 401, 403, 404, 409, 429, 503);

/** `/v1/webhooks*`: a customer's endpoints and delivery log; API keys need `webhooks:manage`. */
export function webhooksRoutes(deps: { webhooks: WebhooksService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { webhooks, authenticator } = deps;
    const guard = authenticator.guard(['customer'], { scope: 'webhooks:manage' });

    app.post(
      '/v1/webhooks',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: 'Subscribe a URL to booking events',
          description:
            'The answer holds the signing `secret` this once. Each event is POSTed as JSON with ' +
            '`Loadline-Event-Id` and `Loadline-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; ' +
            'a 2xx within 10 s is success, anything else is retried with backoff for at least 24 h, and a ' +
            "booking's events go in seq order (docs/webhooks.md). A URL on a private, loopback or link-local " +
            'address is 400 url_not_allowed.',
          security: bearerSecurity,
          body: CreateWebhookBody,
          response: { 201: CreatedWebhook, ...routeErrors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await webhooks.create(callerOf(request).userId, request.body)),
    );

    app.get(
      '/v1/webhooks',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: "The caller's webhooks, newest first (never their secrets)",
          security: bearerSecurity,
          response: { 200: Items(Webhook), ...routeErrors },
        },
      },
      async (request) => ({ items: await webhooks.list(callerOf(request).userId) }),
    );

    app.delete(
      '/v1/webhooks/:id',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: 'Delete a webhook and its delivery log',
          security: bearerSecurity,
          params: IdParams,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await webhooks.remove(callerOf(request).userId, request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: "A webhook's deliveries, newest first",
          description:
            'Status, attempts, the last status code and a short excerpt of the last error or answer.',
          security: bearerSecurity,
          params: IdParams,
          querystring: ListQuery,
          response: { 200: Page(WebhookDelivery), ...routeErrors },
        },
      },
      (request) => webhooks.deliveries(callerOf(request).userId, request.params.id, request.query),
    );

    app.post(
      '/v1/webhooks/:id/deliveries/:deliveryId/replay',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: 'Send a delivery again',
          description:
            'A new attempt on the same delivery, due now, retried as a new one would be. A disabled webhook is 409.',
          security: bearerSecurity,
          params: WebhookDeliveryParams,
          response: { 202: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await webhooks.replay(callerOf(request).userId, request.params.id, request.params.deliveryId);
        return reply.status(202).send(null);
      },
    );
    return Promise.resolve();
  };
}
