import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AvailabilityBody,
  AvailabilityResponse,
  DriverStats,
  DriverTrip,
  ErrorEnvelope,
  ListQuery,
  LocationAccepted,
  LocationUpdate,
  Page,
} from '@loadline/contracts';
import { callerOf, type Authenticator } from '../auth/authenticator';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { DriverHistoryService } from './driver-history.service';
import type { DriverPresenceService } from './driver-presence.service';

export interface DriversRoutesDeps {
  presence: Pick<DriverPresenceService, 'setAvailability' | 'updateLocation'>;
  history: DriverHistoryService;
  authenticator: Authenticator;
}

const guardedErrors = errorResponses(400, 401, 403, 404, 503);

const DEFAULT_LIMIT = 20;

/** The driver's own routes: availability, location pings, trip history and stats. */
export function driversRoutes(deps: DriversRoutesDeps) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const driverOnly = deps.authenticator.guard(['driver']);

    app.put(
      '/v1/driver/availability',
      {
        preHandler: driverOnly,
        schema: {
          tags: ['driver'],
          summary: 'Go online or offline',
          description:
            'An online driver with a known position and no active job is offered bookings. ' +
            '403 driver_suspended when a suspended driver tries to go online.',
          security: bearerSecurity,
          body: AvailabilityBody,
          response: { 200: AvailabilityResponse, ...guardedErrors },
        },
      },
      async (request) => deps.presence.setAvailability(callerOf(request).userId, request.body.online),
    );

    app.post(
      '/v1/driver/location',
      {
        preHandler: driverOnly,
        schema: {
          tags: ['driver'],
          summary: 'Report the current position (HTTP fallback of the driverLocationUpdate socket event)',
          description:
            '`at` (when the position was taken) defaults to now; more than a minute ahead is 400. ' +
            'A position older than the stored one is answered 202 `{ accepted: false }` and changes nothing. ' +
            "An offline driver's position is kept as last known but does not make the driver available. " +
            'Up to 10 updates a second per driver; beyond that 429 rate_limited.',
          security: bearerSecurity,
          body: LocationUpdate,
          response: { 202: LocationAccepted, ...guardedErrors, 429: ErrorEnvelope },
        },
      },
      async (request, reply) => {
        const result = await deps.presence.updateLocation(callerOf(request).userId, request.body);
        return reply.status(202).send(result);
      },
    );

    app.get(
      '/v1/driver/jobs',
      {
        preHandler: driverOnly,
        schema: {
          tags: ['driver'],
          summary: "The driver's jobs, newest assignment first",
          description: 'A job the driver released back to searching is listed as `cancelled`.',
          security: bearerSecurity,
          querystring: ListQuery,
          response: { 200: Page(DriverTrip), ...guardedErrors },
        },
      },
      async (request) =>
        deps.history.trips(
          callerOf(request).userId,
          request.query.limit ?? DEFAULT_LIMIT,
          request.query.cursor ?? null,
        ),
    );

    app.get(
      '/v1/driver/stats',
      {
        preHandler: driverOnly,
        schema: {
          tags: ['driver'],
          summary: 'Trips, earnings, acceptance rate and rating',
          description:
            'trips: delivered jobs; earnings: their summed prices; acceptanceRate: accepted / (accepted + rejected + expired) ' +
            'offers, rounded to 4 decimals, null before any offer was answered; rating: mean rating to 2 decimals, null when unrated.',
          security: bearerSecurity,
          response: { 200: DriverStats, ...guardedErrors },
        },
      },
      async (request) => deps.history.stats(callerOf(request).userId),
    );
    return Promise.resolve();
  };
}
