import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, PublicTracking, ShareLink, ShareParams, TrackParams } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { SharingService } from './sharing.service';

const routeErrors = errorResponses(400, 401, 403, 404, 409, 429, 503);

/** The public page a link opens, on the origin the customer called. */
function pageUrl(origin: { protocol: string; host: string }, token: string): string {
  return `${origin.protocol}://${origin.host}/t/${token}`;
}

export function sharingRoutes(deps: { sharing: SharingService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { sharing, authenticator } = deps;

    app.post(
      '/v1/bookings/:id/share',
      {
        preHandler: authenticator.guard(['customer']),
        schema: {
          tags: ['sharing'],
          summary: 'Make a tracking link anyone can open, without signing in',
          description:
            'The token is shown once. The link works until 1 h after the booking ends, at most 7 days; ' +
            '`DELETE /v1/bookings/:id/share/:token` revokes it at once. 409 conflict when the booking ended ' +
            'more than an hour ago.',
          security: bearerSecurity,
          params: IdParams,
          response: { 201: ShareLink, ...routeErrors },
        },
      },
      async (request, reply) => {
        const link = await sharing.create(callerOf(request).userId, request.params.id);
        return reply.status(201).send({ ...link, url: pageUrl(request, link.token) });
      },
    );

    app.delete(
      '/v1/bookings/:id/share/:token',
      {
        preHandler: authenticator.guard(['customer']),
        schema: {
          tags: ['sharing'],
          summary: 'Revoke a tracking link (its open pages stop updating at once)',
          security: bearerSecurity,
          params: ShareParams,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await sharing.revoke(callerOf(request).userId, request.params.id, request.params.token);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/track/:token',
      {
        schema: {
          tags: ['sharing'],
          summary: "A shared booking's public view (no sign-in)",
          description:
            'Status, vehicle, the driver by first name, the live position, the ETA and the stops; ' +
            'nothing about the customer, no price, no PIN. 404 not_found when the link is unknown, ' +
            'revoked or expired; rate limited per client address (429 with Retry-After).',
          params: TrackParams,
          response: { 200: PublicTracking, ...errorResponses(400, 404, 429, 503) },
        },
      },
      (request) => sharing.view(request.params.token, request.ip),
    );
    return Promise.resolve();
  };
}
