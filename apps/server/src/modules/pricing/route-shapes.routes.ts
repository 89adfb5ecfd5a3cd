import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RouteShape, RouteShapeQuery } from '@loadline/contracts';
import { errors } from '../../lib/errors';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import { parseWaypoints, type RouteShapes } from './route-shapes';

export interface RouteShapeRoutesDeps {
  shapes: RouteShapes;
  authenticator: Authenticator;
}

const routeErrors = errorResponses(400, 401, 429);

/** `GET /v1/route`: the line to draw for a trip, along the roads when a routing service is configured. */
export function routeShapeRoutes(deps: RouteShapeRoutesDeps) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/route',
      {
        preHandler: deps.authenticator.guard(),
        schema: {
          tags: ['quotes'],
          summary: 'The line a map draws for a route',
          description:
            'Any signed-in user. `points` are 2 to 5 waypoints `lat,lng` joined by `;`, in driving order. With a ' +
            'routing service configured (ROUTING_URL) the answer follows the roads (`source: road`); without one, ' +
            'or when it fails, it is the waypoints themselves (`source: straight`).',
          security: bearerSecurity,
          querystring: RouteShapeQuery,
          response: { 200: RouteShape, ...routeErrors },
        },
      },
      async (request) => {
        const points = parseWaypoints(request.query.points);
        if (points === null) {
          throw errors.validation('points must be latitudes within ±90 and longitudes within ±180', {
            field: 'points',
          });
        }
        return deps.shapes.shape(points);
      },
    );
    return Promise.resolve();
  };
}
