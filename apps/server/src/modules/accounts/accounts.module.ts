import type { Config } from '../../config/config';
import type { Platform } from '../../platform/platform';
import { LoginThrottle } from '../../platform/rate-limit/login-throttle';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { LoadlineModule } from '../module';
import { DriversRepository } from '../drivers/drivers.repository';
import { DRIVERS_LIST } from '../drivers/driver-lists';
import { USERS_LIST } from '../users/admin-users.service';
import { UsersRepository } from '../users/users.repository';
import { accountsRoutes } from './accounts.routes';
import { AccountsService } from './accounts.service';

export interface AccountsModuleDeps {
  platform: Pick<
    Platform,
    'router' | 'ids' | 'sessions' | 'outbox' | 'rateLimiter' | 'cache' | 'clock' | 'relay' | 'lists'
  >;
  config: Pick<Config, 'sessionTtlSeconds' | 'cookieSecure' | 'rateLimits'>;
  /** Closes the sockets of a revoked session. */
  sink: Pick<RealtimeSink, 'disconnectUser'>;
}

/** Accounts and their sessions: `/v1/auth/*` (signup, login, logout, password) and `/v1/me`. */
export interface AccountsModule extends LoadlineModule {
  readonly service: AccountsService;
}

export function createAccounts({ platform, config, sink }: AccountsModuleDeps): AccountsModule {
  const service = new AccountsService({
    router: platform.router,
    ids: platform.ids,
    users: new UsersRepository(),
    drivers: new DriversRepository(),
    sessions: platform.sessions,
    outbox: platform.outbox,
    rateLimiter: platform.rateLimiter,
    clock: platform.clock,
    sessionTtlSeconds: config.sessionTtlSeconds,
    perIpLimit: config.rateLimits.authPerIp,
    loginThrottle: new LoginThrottle({
      cache: platform.cache,
      clock: platform.clock,
      rules: config.rateLimits.login,
      enabled: config.rateLimits.enabled,
    }),
    onCommitted: () => {
      platform.relay.poke();
      void platform.lists.invalidate(USERS_LIST, DRIVERS_LIST);
    },
    onSessionRevoked: (userId, tokenHash) => sink.disconnectUser(userId, tokenHash),
  });
  return {
    name: 'accounts',
    service,
    routes: (authenticator) => [
      accountsRoutes({
        auth: service,
        authenticator,
        sessionTtlSeconds: config.sessionTtlSeconds,
        cookieSecure: config.cookieSecure,
      }),
    ],
  };
}
