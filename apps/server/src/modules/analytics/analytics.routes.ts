import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Analytics, AnalyticsQuery, Overview } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import type { AnalyticsService } from './analytics.service';
import type { OverviewService } from './overview.service';

const routeErrors = errorResponses(400, 401, 403, 503);

export function analyticsRoutes(deps: {
  analytics: AnalyticsService;
  overview: OverviewService;
  authenticator: Authenticator;
}) {
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
    app.get(
      '/v1/admin/overview',
      {
        preHandler: deps.authenticator.guard(['admin']),
        schema: {
          tags: ['admin'],
          summary: 'Fleet and booking figures right now (today = current UTC day; cached 1 s)',
          security: bearerSecurity,
          response: { 200: Overview, ...routeErrors },
        },
      },
      () => deps.overview.overview(),
    );
    return Promise.resolve();
  };
}
