import type { Config } from '../../config/config';
import type { Platform } from '../../platform/platform';
import { Authenticator, type ApiKeyResolver } from './authenticator';
import { OriginPolicy } from './origin-policy';

/**
 * Who is calling: the Authenticator (session tokens, the route guard) that
 * every module's routes and the socket gateway use, and the Origin policy for
 * cookie sessions. A leaf: it knows sessions, not users or drivers, so every
 * module may import it. Accounts (signup, login, password) are modules/accounts.
 */
export interface AuthModule {
  readonly authenticator: Authenticator;
  readonly originPolicy: OriginPolicy;
}

export function createAuth(
  platform: Pick<Platform, 'sessions' | 'clock'>,
  config: Pick<Config, 'allowedOrigins'>,
  apiKeys: ApiKeyResolver | null = null,
): AuthModule {
  const originPolicy = new OriginPolicy(config.allowedOrigins);
  return {
    authenticator: new Authenticator(platform.sessions, platform.clock, originPolicy, apiKeys),
    originPolicy,
  };
}
