import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '@loadline/contracts';
import { errors } from '../lib/errors';
import type { SessionStore } from '../platform/sessions/session-store.port';

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

function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? null;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? cookie : null;
}

/** Resolves a bearer token (or the `sid` cookie) to its live session. */
export async function authenticateToken(sessions: SessionStore, token: string): Promise<AuthContext> {
  const tokenHash = hashToken(token);
  const session = await sessions.get(tokenHash);
  if (session === null) {
    throw errors.unauthenticated('The session is invalid or has expired.');
  }
  return { userId: session.userId, role: session.role, tokenHash };
}

/**
 * Route guard: a valid session, and when `roles` is given one of those roles.
 * No token is 401 unauthenticated; the wrong role is 403 forbidden.
 */
export function requireAuth(sessions: SessionStore, roles?: readonly Role[]): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = tokenFrom(request);
    if (token === null) {
      throw errors.unauthenticated();
    }
    const auth = await authenticateToken(sessions, token);
    if (roles !== undefined && !roles.includes(auth.role)) {
      throw errors.forbidden();
    }
    request.auth = auth;
  };
}

/** The authenticated caller of a guarded route. */
export function callerOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) {
    throw errors.unauthenticated();
  }
  return request.auth;
}
