import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AdminBooking,
  AdminBookingListQuery,
  BookingPins,
  IdParams,
  Page,
  UnlockPinsBody,
} from '@loadline/contracts';
import { bearerSecurity, emptyBodyAsObject, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { AdminBookingsService } from './admin-bookings.service';
import type { HandoverPinsService } from './handover-pins.service';

const routeErrors = errorResponses(400, 401, 403, 503);

export function adminBookingsRoutes(deps: {
  bookings: AdminBookingsService;
  pins: HandoverPinsService;
  authenticator: Authenticator;
}) {
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

    app.post(
      '/v1/admin/bookings/:id/pins/unlock',
      {
        preHandler: guard,
        // The body is optional: no `handover` unlocks every locked one.
        preValidation: emptyBodyAsObject,
        schema: {
          tags: ['admin'],
          summary: 'Unlock a handover PIN locked by wrong tries',
          description:
            '`handover`: 0 the pickup, else the stop’s seq; absent: every locked handover. Clears its wrong tries ' +
            '(the PIN stays the same) and records a `pins_unlocked` event by the admin. Answers the PINs as ' +
            '`GET /v1/bookings/:id/pins` does; 404 for an unknown booking.',
          security: bearerSecurity,
          params: IdParams,
          body: UnlockPinsBody,
          response: { 200: BookingPins, ...errorResponses(400, 401, 403, 404, 409, 503) },
        },
      },
      (request) => deps.pins.unlock(callerOf(request).userId, request.params.id, request.body.handover),
    );

    return Promise.resolve();
  };
}
