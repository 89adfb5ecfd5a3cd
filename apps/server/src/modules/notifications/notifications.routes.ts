import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Notification, NotificationListQuery, Page } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { NotificationsService } from './notifications.service';

const routeErrors = errorResponses(400, 401, 404, 429, 503);

/** `/v1/notifications*`: the signed-in user's own notifications, whatever their role. */
export function notificationsRoutes(deps: {
  notifications: NotificationsService;
  authenticator: Authenticator;
}) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { notifications, authenticator } = deps;
    const guard = authenticator.guard();

    app.get(
      '/v1/notifications',
      {
        preHandler: guard,
        schema: {
          tags: ['notifications'],
          summary: "The caller's notifications, newest first",
          description:
            '`unread=true` lists only those not yet read. Each was also sent live as the `notification` socket event.',
          security: bearerSecurity,
          querystring: NotificationListQuery,
          response: { 200: Page(Notification), ...routeErrors },
        },
      },
      (request) => notifications.list(callerOf(request).userId, request.query),
    );

    app.post(
      '/v1/notifications/read-all',
      {
        preHandler: guard,
        schema: {
          tags: ['notifications'],
          summary: "Mark all the caller's notifications read",
          security: bearerSecurity,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await notifications.markAllRead(callerOf(request).userId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/notifications/:id/read',
      {
        preHandler: guard,
        schema: {
          tags: ['notifications'],
          summary: 'Mark one notification read',
          description:
            "Marking it again changes nothing. Another user's notification is 404, as is an unknown one.",
          security: bearerSecurity,
          params: IdParams,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await notifications.markRead(callerOf(request).userId, request.params.id);
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}
