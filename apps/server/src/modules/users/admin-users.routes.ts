import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdminUser, AdminUserListQuery, Page } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import type { AdminUsersService } from './admin-users.service';

export function adminUsersRoutes(deps: { users: AdminUsersService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/admin/users',
      {
        preHandler: deps.authenticator.guard(['admin']),
        schema: {
          tags: ['admin'],
          summary: 'Every account across shards, newest first',
          description:
            'Keyset cursor (`cursor`) for any depth, or `page` (1-50) for the first pages; not both. ' +
            'Served from cache until an account changes.',
          security: bearerSecurity,
          querystring: AdminUserListQuery,
          response: { 200: Page(AdminUser), ...errorResponses(400, 401, 403, 503) },
        },
      },
      (request) => deps.users.list(request.query),
    );
    return Promise.resolve();
  };
}
