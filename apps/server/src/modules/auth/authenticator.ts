import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { SessionStore } from '../../platform/sessions/session-store.port';
import type { OriginPolicy } from './origin-policy';

export interface AuthContext {
  userId: string;
  role: Role;
  tokenHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

export const SESSION_COOKIE = 'sid';

/** Sessions are stored under the token's SHA-256, so a leaked store holds no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
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
  ) {}

  /** Resolves a token to its live session; 401 when unknown, revoked or expired. */
  async authenticate(token: string): Promise<AuthContext> {
    const tokenHash = hashToken(token);
    const session = await this.sessions.get(tokenHash);
    if (session === null || session.expiresAt <= this.clock.now()) {
      throw errors.unauthenticated('The session is invalid or has expired.');
    }
    return { userId: session.userId, role: session.role, tokenHash };
  }

  /**
   * Route guard: a valid session (bearer token or the `sid` cookie), and when
   * `roles` is given one of those roles. No session is 401; the wrong role is 403.
   * A cookie-authenticated write from another origin is 403 before the session is read.
   */
  guard(roles?: readonly Role[]): preHandlerAsyncHookHandler {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const presented = tokenFrom(request);
      if (presented === null) {
        throw errors.unauthenticated();
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
}

/** The authenticated caller of a guarded route. */
export function callerOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) {
    throw errors.unauthenticated();
  }
  return request.auth;
}
