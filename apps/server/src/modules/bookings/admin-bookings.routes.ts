import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Booking, BookingListQuery, ErrorEnvelope, Overview, Page } from '@loadline/contracts';
import type { Authenticator } from '../../http/auth-guard';
import type { OverviewService } from '../analytics/overview.service';
import type { BookingsService } from './bookings.service';

const errorResponses = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 503: ErrorEnvelope };

export function adminBookingsRoutes(deps: {
  bookings: BookingsService;
  overview: OverviewService;
  authenticator: Authenticator;
}) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const guard = deps.authenticator.guard(['admin']);
    const security = [{ bearer: [] }];

    app.get(
      '/v1/admin/bookings',
      {
        preHandler: guard,
        schema: {
          tags: ['admin'],
          summary: 'Every booking across shards, newest first',
          security,
          querystring: BookingListQuery,
          response: { 200: Page(Booking), ...errorResponses },
        },
      },
      (request) => deps.bookings.listAll(request.query),
    );

    app.get(
      '/v1/admin/overview',
      {
        preHandler: guard,
        schema: {
          tags: ['admin'],
          summary: 'Fleet and booking figures right now (today = current UTC day; cached 1 s)',
          security,
          response: { 200: Overview, ...errorResponses },
        },
      },
      () => deps.overview.overview(),
    );
    return Promise.resolve();
  };
}
