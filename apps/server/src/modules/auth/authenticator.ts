import { hash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { API_KEY_PREFIX, isId, type ApiKeyScope, type Role } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import type { SessionKey, SessionStore } from '../../platform/sessions/session-store.port';
import type { OriginPolicy } from './origin-policy';

export interface AuthContext {
  userId: string;
  role: Role;
  /** The SHA-256 of the session token, or of the API key. */
  tokenHash: string;
  /** Set when the caller presented an API key: which one, and what it may do. */
  apiKey: ApiKeyGrant | null;
}

/** What an API key lets its holder do: act as its customer within its scopes. */
export interface ApiKeyGrant {
  keyId: string;
  customerId: string;
  keyHash: string;
  scopes: readonly ApiKeyScope[];
}

/**
 * Turns an `llk_` key into its grant (modules/integrations implements it; auth
 * only declares what it needs, so it stays a leaf). Counts the request against
 * the key's rate limit (429); 401 when the key is unknown or revoked.
 */
export interface ApiKeyResolver {
  resolve(key: string): Promise<ApiKeyGrant>;
}

/** Options of the route guard. */
export interface GuardOptions {
  /**
   * The API key scope that lets a key call the route as its customer. A route
   * without one refuses every API key (403 insufficient_scope): managing keys,
   * driver and admin routes.
   */
  scope?: ApiKeyScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

export const SESSION_COOKIE = 'sid';

/** Sessions are stored under the token's SHA-256, so a leaked store holds no usable token. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

const TOKEN_PATTERN = /^(\d{1,19})\.([A-Za-z0-9_-]{43})$/;

/**
 * A new session token: `<user id>.<256 random bits, base64url>`. The user id
 * routes to the shard that holds the session (ADR 0017); the secret makes it
 * unguessable. Returns the token and the key it is stored under.
 */
export function newSessionToken(userId: string): { token: string; key: SessionKey } {
  const token = `${userId}.${randomBytes(32).toString('base64url')}`;
  return { token, key: { userId, tokenHash: hashToken(token) } };
}

/** The key of a presented token, or null when it is not a session token's shape. */
export function sessionKeyOf(token: string): SessionKey | null {
  const match = TOKEN_PATTERN.exec(token);
  const userId = match?.[1];
  if (userId === undefined || !isId(userId)) {
    return null;
  }
  return { userId, tokenHash: hashToken(token) };
}

interface PresentedToken {
  token: string;
  /** The browser attached it by itself (the `sid` cookie), so another site's page may have sent it. */
  viaCookie: boolean;
}

function tokenFrom(request: FastifyRequest): PresentedToken | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] === undefined ? null : { token: match[1], viaCookie: false };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? { token: cookie, viaCookie: true } : null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Turns tokens into callers; the route guard and the socket handshake both use it. */
export class Authenticator {
  constructor(
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    private readonly origins: OriginPolicy,
    private readonly apiKeys: ApiKeyResolver | null = null,
  ) {}

  /** Resolves a token to its live session; 401 when unknown, revoked or expired. */
  async authenticate(token: string): Promise<AuthContext> {
    const key = sessionKeyOf(token);
    const session = key === null ? null : await this.sessions.get(key);
    if (key === null || session === null || session.expiresAt <= this.clock.now()) {
      throw errors.unauthenticated('The session is invalid or has expired.');
    }
    return { userId: session.userId, role: session.role, tokenHash: key.tokenHash, apiKey: null };
  }

  /**
   * Route guard: a valid session (bearer token or the `sid` cookie), and when
   * `roles` is given one of those roles. No session is 401; the wrong role is 403.
   * A cookie-authenticated write from another origin is 403 before the session is read.
   * An API key (`Bearer llk_...`) acts as its customer on routes that name a
   * scope the key holds; elsewhere it is 403 insufficient_scope.
   */
  guard(roles?: readonly Role[], options: GuardOptions = {}): preHandlerAsyncHookHandler {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const presented = tokenFrom(request);
      if (presented === null) {
        throw errors.unauthenticated();
      }
      if (!presented.viaCookie && presented.token.startsWith(API_KEY_PREFIX)) {
        request.auth = await this.apiKeyCaller(presented.token, roles, options.scope);
        return;
      }
      if (presented.viaCookie && !SAFE_METHODS.has(request.method)) {
        const refusal = this.origins.refusal(request.headers);
        if (refusal !== null) {
          throw errors.forbidden(refusal);
        }
      }
      const auth = await this.authenticate(presented.token);
      if (roles !== undefined && !roles.includes(auth.role)) {
        throw errors.forbidden();
      }
      request.auth = auth;
    };
  }

  private async apiKeyCaller(
    key: string,
    roles: readonly Role[] | undefined,
    scope: ApiKeyScope | undefined,
  ): Promise<AuthContext> {
    if (this.apiKeys === null) {
      throw errors.unauthenticated('API keys are not accepted here.');
    }
    const grant = await this.apiKeys.resolve(key);
    const customerRoute = roles === undefined || roles.includes('customer');
    if (scope === undefined || !customerRoute) {
      throw new AppError(403, 'insufficient_scope', 'API keys cannot be used here.');
    }
    if (!grant.scopes.includes(scope)) {
      throw new AppError(403, 'insufficient_scope', `This API key lacks the ${scope} scope.`, {
        details: { required: scope },
      });
    }
    return { userId: grant.customerId, role: 'customer', tokenHash: grant.keyHash, apiKey: grant };
  }
}

/** The authenticated caller of a guarded route. */
export function callerOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) {
    throw errors.unauthenticated();
  }
  return request.auth;
}
