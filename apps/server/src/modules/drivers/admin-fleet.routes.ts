import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AdminDriver,
  AdminDriverListQuery,
  AdminVehicle,
  IdParams,
  ListQuery,
  Page,
  SuspendBody,
} from '@loadline/contracts';
import type { Authenticator } from '../auth/authenticator';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { FleetAdminService } from './fleet-admin.service';

export interface AdminFleetRoutesDeps {
  fleet: FleetAdminService;
  authenticator: Authenticator;
}

const guardedErrors = errorResponses(400, 401, 403, 404, 503);

const DEFAULT_LIMIT = 20;

/** The admin's fleet views: drivers (with suspension) and vehicles, across every shard. */
export function adminFleetRoutes(deps: AdminFleetRoutesDeps) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const adminOnly = deps.authenticator.guard(['admin']);

    app.get(
      '/v1/admin/drivers',
      {
        preHandler: adminOnly,
        schema: {
          tags: ['admin'],
          summary: 'Every driver, newest first',
          description:
            'The statuses partition the fleet: `suspended`; else `busy` (holding a job); else `online` or `offline`. ' +
            '`lastLocation` is the live position when one is cached, else the last one stored.',
          security: bearerSecurity,
          querystring: AdminDriverListQuery,
          response: { 200: Page(AdminDriver), ...guardedErrors },
        },
      },
      async (request) =>
        deps.fleet.listDrivers({
          status: request.query.status,
          limit: request.query.limit ?? DEFAULT_LIMIT,
          cursor: request.query.cursor ?? null,
        }),
    );

    app.patch(
      '/v1/admin/drivers/:id',
      {
        preHandler: adminOnly,
        schema: {
          tags: ['admin'],
          summary: 'Suspend a driver or lift the suspension',
          description:
            'Suspending takes the driver offline, marks the account suspended and revokes every session at once. ' +
            'Lifting it reactivates the account; the driver stays offline until going online again. 404 for an unknown driver.',
          security: bearerSecurity,
          params: IdParams,
          body: SuspendBody,
          response: { 200: AdminDriver, ...guardedErrors },
        },
      },
      async (request) => deps.fleet.setSuspended(request.params.id, request.body.suspended),
    );

    app.get(
      '/v1/admin/vehicles',
      {
        preHandler: adminOnly,
        schema: {
          tags: ['admin'],
          summary: 'Every registered vehicle, newest first',
          security: bearerSecurity,
          querystring: ListQuery,
          response: { 200: Page(AdminVehicle), ...guardedErrors },
        },
      },
      async (request) =>
        deps.fleet.listVehicles({
          limit: request.query.limit ?? DEFAULT_LIMIT,
          cursor: request.query.cursor ?? null,
        }),
    );
    return Promise.resolve();
  };
}
