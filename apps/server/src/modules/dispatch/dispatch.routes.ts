import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Booking, Id, Offer } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { DispatchService } from './dispatch.service';

const routeErrors = errorResponses(400, 401, 403, 404, 409, 422, 503);

const BookingParams = Type.Object({ bookingId: Id }, { additionalProperties: false });

export function dispatchRoutes(deps: { dispatch: DispatchService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { dispatch, authenticator } = deps;
    const guard = authenticator.guard(['driver']);

    app.get(
      '/v1/driver/offers',
      {
        preHandler: guard,
        schema: {
          tags: ['driver'],
          summary: 'Open offers for the driver, newest first',
          security: bearerSecurity,
          response: { 200: Type.Object({ items: Type.Array(Offer) }), ...routeErrors },
        },
      },
      async (request) => ({ items: await dispatch.pendingOffers(callerOf(request).userId) }),
    );

    app.post(
      '/v1/driver/offers/:bookingId/accept',
      {
        preHandler: guard,
        schema: {
          tags: ['driver'],
          summary: 'Accept an offer; exactly one driver wins a booking',
          description:
            '409 booking_taken (another driver won), offer_expired, driver_busy (already on a job); ' +
            '404 when this driver was never offered the booking.',
          security: bearerSecurity,
          params: BookingParams,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => dispatch.accept(callerOf(request).userId, request.params.bookingId),
    );

    app.post(
      '/v1/driver/offers/:bookingId/reject',
      {
        preHandler: guard,
        schema: {
          tags: ['driver'],
          summary: 'Decline an offer',
          security: bearerSecurity,
          params: BookingParams,
          response: { 204: Type.Null(), ...routeErrors },
        },
      },
      async (request, reply) => {
        await dispatch.reject(callerOf(request).userId, request.params.bookingId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/driver/jobs/:bookingId/release',
      {
        preHandler: guard,
        schema: {
          tags: ['driver'],
          summary: 'Hand an assigned job back before starting it; it returns to searching',
          security: bearerSecurity,
          params: BookingParams,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => dispatch.release(callerOf(request).userId, request.params.bookingId),
    );
    return Promise.resolve();
  };
}
