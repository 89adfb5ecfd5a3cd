import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiKey, CreateApiKeyBody, CreatedApiKey, IdParams, Items } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { ApiKeyService } from './api-keys.service';

const routeErrors = errorResponses(400, 401, 403, 404, 409, 429, 503);

/** `/v1/api-keys*`: a customer's keys, managed with a session (an API key cannot manage keys). */
export function apiKeysRoutes(deps: { apiKeys: ApiKeyService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { apiKeys, authenticator } = deps;
    const guard = authenticator.guard(['customer']);

    app.post(
      '/v1/api-keys',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: 'Create an API key',
          description:
            'The answer holds the key (`llk_...`) this once; only its hash is kept. Use it as ' +
            '`Authorization: Bearer llk_...` on the customer routes its scopes allow.',
          security: bearerSecurity,
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKey, ...routeErrors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await apiKeys.create(callerOf(request).userId, request.body)),
    );

    app.get(
      '/v1/api-keys',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: "The caller's live API keys, newest first (prefixes only, never the keys)",
          security: bearerSecurity,
          response: { 200: Items(ApiKey), ...routeErrors },
        },
      },
      async (request) => ({ items: await apiKeys.list(callerOf(request).userId) }),
    );

    app.delete(
      '/v1/api-keys/:id',
      {
        preHandler: guard,
        schema: {
          tags: ['integrations'],
          summary: 'Revoke an API key',
          description: 'Refused on every instance from the next request. Unknown or already revoked is 404.',
          security: bearerSecurity,
          params: IdParams,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await apiKeys.revoke(callerOf(request).userId, request.params.id);
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}
