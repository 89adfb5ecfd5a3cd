import type { Platform } from '../../platform/platform';
import type { LoadlineModule } from '../module';
import { adminUsersRoutes } from './admin-users.routes';
import { AdminUsersService } from './admin-users.service';
import { UsersRepository } from './users.repository';

/** `/v1/admin/users` (admins). Accounts themselves are made by the auth module. */
export function createUsers(platform: Pick<Platform, 'router' | 'lists'>): LoadlineModule {
  const users = new AdminUsersService({
    router: platform.router,
    users: new UsersRepository(),
    lists: platform.lists,
  });
  return {
    name: 'users',
    routes: (authenticator) => [adminUsersRoutes({ users, authenticator })],
  };
}
