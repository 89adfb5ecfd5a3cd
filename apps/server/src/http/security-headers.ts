import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers on every response. The options do not depend on the
 * request, so helmet runs once, at boot, against a response nobody receives,
 * and each request copies the headers it set: no per-request rebuild of the
 * policy (what the plugin form of helmet does) and no promise per request.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}

/** The headers helmet sets for these options. */
export function securityHeaders(options: HelmetOptions): OutgoingHttpHeaders {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  // Helmet throws a bad option from here; it calls `next` without an argument.
  helmet(options)(request, response, () => undefined);
  return Object.freeze({ ...response.getHeaders() });
}
