import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdminBooking, AdminBookingListQuery, Page } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import type { AdminBookingsService } from './admin-bookings.service';

const routeErrors = errorResponses(400, 401, 403, 503);

export function adminBookingsRoutes(deps: { bookings: AdminBookingsService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const guard = deps.authenticator.guard(['admin']);

    app.get(
      '/v1/admin/bookings',
      {
        preHandler: guard,
        schema: {
          tags: ['admin'],
          summary: 'Every booking across shards, newest first, with customer and driver names',
          description:
            "Filters: `status`, `customerId` (read from that customer's shard alone), `driverId`, and `ref` " +
            '(a booking reference as typed: the one booking it names, or none).',
          security: bearerSecurity,
          querystring: AdminBookingListQuery,
          response: { 200: Page(AdminBooking), ...routeErrors },
        },
      },
      (request) => deps.bookings.list(request.query),
    );

    return Promise.resolve();
  };
}
