import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config';
import { AppError, errors } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { envelopeOf, registerErrorHandling } from './error-handler';
import { createMetrics, instrumentHttp, type Metrics } from './metrics';
import { clientConfigRoutes } from './client-config.routes';
import { opsRoutes } from './ops.routes';
import { registerSecurityHeaders } from './security-headers';
import { SOCKET_DOCS } from './socket-docs';
import { validatorCompiler } from './validation';

export type HttpApp = FastifyInstance;

export interface HttpServerDeps {
  config: Config;
  logger: Logger;
  unreachable: () => Promise<string[]>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** The longest path parameter the router takes (Fastify's default): no ID or token of ours comes near it. */
const MAX_PARAM_LENGTH = 100;
/** The characters of a share token the request log keeps. */
const SHOWN_TOKEN_CHARS = 6;

/**
 * The HTTP shell every role shares: validation, the error envelope, request
 * ids, security headers, body limits, OpenAPI, ops routes and the web app.
 * Modules add their routes under /v1 afterwards.
 */
export async function createHttpServer(deps: HttpServerDeps): Promise<{ app: HttpApp; metrics: Metrics }> {
  const { config } = deps;
  const httpLogger: FastifyBaseLogger = deps.logger.child({ module: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustedProxies(config.trustProxy),
    // Slow clients cannot hold connections: headers, the whole request and
    // idle (keep-alive or silent) connections each have a deadline, checked
    // every second rather than Node's default 30 s.
    connectionTimeout: config.http.idleTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs),
    },
    clientErrorHandler: answerClientError,
    // What the router refuses before any route runs: the envelope too, without echoing the path.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const refusal = routerRefusal(error);
      request.log.info({ code: error.code, url: loggedUrl(request) }, 'request rejected by the router');
      // No route, so no hooks: the request id is set here.
      void reply.header('x-request-id', request.id).status(refusal.status).send(envelopeOf(refusal));
    },
    // An incoming id is used only when it is short and safe to echo and log.
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  acceptEmptyJson(app);
  registerErrorHandling(app);
  app.decorateRequest('auth', null);

  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: loggedUrl(request),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  const metrics = createMetrics();
  instrumentHttp(app, metrics);

  await app.register(cookie);
  // HSTS and upgrade-insecure-requests only make sense over HTTPS: on plain
  // HTTP (a LAN address) they would make the browser refuse the app itself.
  registerSecurityHeaders(app, {
    hsts: config.cookieSecure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
        defaultSrc: ["'self'"],
        // Map tiles come from a configurable server; markers are data URLs.
        imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
      },
    },
    crossOriginEmbedderPolicy: false,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Loadline API',
        version: '1.0.0',
        description:
          'REST contract of the Loadline logistics platform. Errors use `{ error: { code, message, details? } }`. ' +
          'Lists take `limit` (1..100) and an opaque `cursor` and answer `{ items, nextCursor }`.\n' +
          SOCKET_DOCS,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(
    opsRoutes({
      unreachable: deps.unreachable,
      registry: metrics.registry,
      metricsToken: config.metricsToken,
    }),
  );

  await app.register(clientConfigRoutes(config));

  await registerWebApp(app, config.webDistDir);
  return { app, metrics };
}

/**
 * A hop count trusts the last N addresses of the chain (the peer and N-1
 * forwarded ones), so the client address is the one the outermost trusted
 * proxy saw; a list trusts exactly those proxies.
 */
function trustedProxies(
  setting: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) {
    return false;
  }
  if (typeof setting === 'number') {
    return (_address, hop) => hop < setting;
  }
  return [...setting];
}

const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * JSON bodies as Fastify parses them (prototype poisoning refused), except that
 * an empty body sent with a JSON content type counts as no body: many clients
 * set the header on every request, and a route that takes no body should not
 * refuse them. A route that needs a body still answers 400 without one.
 */
function acceptEmptyJson(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    void json(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });
}

/** The router's own refusals as the contract's errors: a URL that does not decode, a path parameter too long for any ID or token. */
function routerRefusal(error: FastifyError): AppError {
  return error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? errors.validation(`A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`)
    : errors.validation('The URL is not valid: a percent-encoded character is malformed.');
}

/**
 * The URL as the request log writes it. A share token in the path is a
 * credential (anyone holding it follows the trip), so only its first
 * characters are kept, enough to tell links apart.
 */
function loggedUrl(request: FastifyRequest): string {
  const params: unknown = request.params;
  const token =
    typeof params === 'object' && params !== null && 'token' in params && typeof params.token === 'string'
      ? params.token
      : '';
  return token.length > SHOWN_TOKEN_CHARS
    ? request.url.replace(token, `${token.slice(0, SHOWN_TOKEN_CHARS)}...`)
    : request.url;
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request
 * (malformed framing, oversized headers, timeouts) with the contract's
 * envelope, then closes the connection.
 */
function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const appError =
    status === 431
      ? new AppError(431, 'headers_too_large', 'Request headers are too large.')
      : status === 408
        ? new AppError(408, 'request_timeout', 'The request took too long to arrive.')
        : new AppError(400, 'bad_request', 'The request is not valid HTTP.');
  this.log.debug({ code: error.code, status }, 'client error');
  const body = JSON.stringify(envelopeOf(appError));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

const API_PREFIXES = ['/v1', '/socket.io', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

/** Serves the built web app when present; unknown non-API GETs fall back to its index.html. */
async function registerWebApp(app: HttpApp, distDir: string): Promise<void> {
  const index = path.join(distDir, 'index.html');
  const hasWeb = fs.existsSync(index);
  if (hasWeb) {
    await app.register(fastifyStatic, { root: distDir, wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = API_PREFIXES.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));
    if (hasWeb && request.method === 'GET' && !isApi) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send(envelopeOf(errors.notFound(`Route ${request.method} ${url}`)));
  });
}
