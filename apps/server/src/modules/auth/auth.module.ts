import type { Config } from '../../config/config';
import type { Platform } from '../../platform/platform';
import { LoginThrottle } from '../../platform/rate-limit/login-throttle';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { LoadlineModule } from '../module';
import { DriversRepository } from '../drivers/drivers.repository';
import { DRIVERS_LIST } from '../drivers/driver-lists';
import { USERS_LIST } from '../users/admin-users.service';
import { UsersRepository } from '../users/users.repository';
import { authRoutes } from './auth.routes';
import { AuthService } from './auth.service';
import { Authenticator } from './authenticator';
import { OriginPolicy } from './origin-policy';

export interface AuthModuleDeps {
  platform: Pick<
    Platform,
    'router' | 'ids' | 'sessions' | 'outbox' | 'rateLimiter' | 'cache' | 'clock' | 'relay' | 'lists'
  >;
  config: Pick<Config, 'allowedOrigins' | 'sessionTtlSeconds' | 'cookieSecure' | 'rateLimits'>;
  /** Closes the sockets of a revoked session. */
  sink: Pick<RealtimeSink, 'disconnectUser'>;
}

/** `/v1/auth/*` and `/v1/me`; the Authenticator every other module's routes and the socket gateway use. */
export interface AuthModule extends LoadlineModule {
  readonly service: AuthService;
  readonly authenticator: Authenticator;
  readonly originPolicy: OriginPolicy;
}

export function createAuth({ platform, config, sink }: AuthModuleDeps): AuthModule {
  const originPolicy = new OriginPolicy(config.allowedOrigins);
  const authenticator = new Authenticator(platform.sessions, platform.clock, originPolicy);
  const service = new AuthService({
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
    name: 'auth',
    service,
    authenticator,
    originPolicy,
    routes: (guard) => [
      authRoutes({
        auth: service,
        authenticator: guard,
        sessionTtlSeconds: config.sessionTtlSeconds,
        cookieSecure: config.cookieSecure,
      }),
    ],
  };
}
