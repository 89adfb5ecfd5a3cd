import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuthResponse, ErrorEnvelope, LoginBody, MeResponse, SignupBody } from '@loadline/contracts';
import { SESSION_COOKIE, callerOf, type Authenticator } from '../auth/authenticator';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { AccountsService } from './accounts.service';

export interface AccountsRoutesDeps {
  auth: AccountsService;
  authenticator: Authenticator;
  sessionTtlSeconds: number;
  cookieSecure: boolean;
}

const routeErrors = errorResponses(400, 401, 403, 409, 429, 503);

export function accountsRoutes(deps: AccountsRoutesDeps) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const cookieOptions = {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: deps.cookieSecure,
      path: '/',
      maxAge: deps.sessionTtlSeconds,
    };

    app.post(
      '/v1/auth/signup',
      {
        schema: {
          tags: ['auth'],
          summary: 'Create a customer or driver account',
          description: 'Drivers must send `vehicle`. 409 email_taken or plate_taken when already registered.',
          body: SignupBody,
          response: { 201: AuthResponse, ...routeErrors },
        },
      },
      async (request, reply) => {
        const result = await deps.auth.signup(request.body, request.ip);
        void reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
        return reply.status(201).send(result);
      },
    );

    app.post(
      '/v1/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Exchange email and password for a session token',
          description:
            '429 rate_limited with Retry-After while this client address is locked out of the email ' +
            '(5 failures, then a lock that doubles with each further failure) or while the email has ' +
            'had too many failures from all addresses; a success clears the address’s count.',
          body: LoginBody,
          response: { 200: AuthResponse, ...routeErrors },
        },
      },
      async (request, reply) => {
        const result = await deps.auth.login(request.body.email, request.body.password, request.ip);
        void reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
        return result;
      },
    );

    app.post(
      '/v1/auth/logout',
      {
        preHandler: deps.authenticator.guard(),
        schema: {
          tags: ['auth'],
          summary: 'Revoke the current session',
          security: bearerSecurity,
          response: { 204: Type.Null(), 401: ErrorEnvelope },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        await deps.auth.logout(caller.userId, caller.tokenHash);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/me',
      {
        preHandler: deps.authenticator.guard(),
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user (drivers: with their profile and vehicle)',
          security: bearerSecurity,
          response: { 200: MeResponse, 401: ErrorEnvelope },
        },
      },
      async (request) => ({ user: await deps.auth.me(callerOf(request).userId) }),
    );
    return Promise.resolve();
  };
}
