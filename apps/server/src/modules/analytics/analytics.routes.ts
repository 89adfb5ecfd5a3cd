import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Analytics, AnalyticsQuery } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import type { AnalyticsService } from './analytics.service';

const routeErrors = errorResponses(400, 401, 403, 503);

export function analyticsRoutes(deps: { analytics: AnalyticsService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/admin/analytics',
      {
        preHandler: deps.authenticator.guard(['admin']),
        schema: {
          tags: ['admin'],
          summary: 'Trips, times, bookings per day, per vehicle type and the top drivers over UTC days',
          description:
            'Read from roll-ups that booking events keep current (seconds behind at most); cached 10 s. ' +
            'Default range: the last 30 days; at most 366 days.',
          security: bearerSecurity,
          querystring: AnalyticsQuery,
          response: { 200: Analytics, ...routeErrors },
        },
      },
      (request) => deps.analytics.analytics(request.query),
    );
    return Promise.resolve();
  };
}
