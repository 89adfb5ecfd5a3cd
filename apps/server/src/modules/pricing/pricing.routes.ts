import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Quote, QuoteRequest } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { PricingService } from './pricing.service';

export interface PricingRoutesDeps {
  pricing: PricingService;
  authenticator: Authenticator;
}

const routeErrors = errorResponses(400, 401, 403, 422, 429, 503);

export function pricingRoutes(deps: PricingRoutesDeps) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/quotes',
      {
        preHandler: deps.authenticator.guard(['customer'], { scope: 'bookings:write' }),
        schema: {
          tags: ['quotes'],
          summary: 'Get an upfront price for a trip',
          description:
            'Customers only. Prices the trip from its road distance and duration, the vehicle type, the rates of ' +
            "the pickup's region and live demand around the pickup (`surgeMultiplier`, 1 when calm). The quote is " +
            'stored and honoured by `POST /v1/bookings { quoteId }` until `expiresAt`; after that the booking ' +
            'answers 409 quote_expired. Amounts are integer minor units; the breakdown parts add up to `price.amount`. ' +
            'A pickup or drop-off outside every service area is 422 outside_service_area (`details.point`: pickup or ' +
            "dropoff); a trip longer than the vehicle type's maximum in the pickup's region is 422 trip_too_long " +
            '(`details`: distanceKm, maxKm, vehicleType).',
          security: bearerSecurity,
          body: QuoteRequest,
          response: { 200: Quote, ...routeErrors },
        },
      },
      async (request) => deps.pricing.quote(callerOf(request).userId, request.body),
    );
    return Promise.resolve();
  };
}
