import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errors } from '../lib/errors';
import { ValidationFailure } from './validation';

interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const { statusCode } = error;
    return typeof statusCode === 'number' ? statusCode : undefined;
  }
  return undefined;
}

/** What the route that failed accepts, for messages about the body. */
export interface RouteBody {
  /** Its body limit in bytes. */
  bodyLimit?: number;
  /** The content types it takes (its schema's `consumes`); JSON when unset. */
  consumes?: readonly string[];
}

/** Maps anything thrown to the contract's envelope; 5xx never show internals. */
export function toAppError(error: unknown, route: RouteBody = {}): AppError {
  if (error instanceof AppError) {
    return error;
  }
  const fastifyError = error as Partial<FastifyError>;
  if (error instanceof ValidationFailure) {
    const part = (error as { validationContext?: unknown }).validationContext;
    return errors.validation(
      typeof part === 'string' ? `${part}: ${error.message}` : error.message,
      typeof part === 'string' ? { in: part, issues: error.issues } : { issues: error.issues },
    );
  }
  if (Array.isArray(fastifyError.validation)) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ValidationFailure) {
      return errors.validation(cause.message, { issues: cause.issues });
    }
    return errors.validation(fastifyError.message ?? 'Request is invalid.');
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(route.bodyLimit ?? 64 * 1024);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        415,
        'unsupported_media_type',
        `Send the body as ${(route.consumes ?? ['application/json']).join(' or ')}.`,
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.validation('Body is not valid JSON.');
    default:
      break;
  }
  if (error instanceof SyntaxError && statusOf(error) === 400) {
    return errors.validation('Body is not valid JSON.');
  }
  // A dependency outage arrives here already typed: the shard dialects and the
  // guarded Redis client turn unreachable-dependency failures into 503 AppErrors.
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return new AppError(
      status,
      status === 404 ? 'not_found' : 'bad_request',
      fastifyError.message ?? 'Bad request.',
    );
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side.', {
    cause: error,
    expose: false,
  });
}

export function envelopeOf(error: AppError): Envelope {
  const body: Envelope = {
    error: {
      code: error.code,
      message: error.expose ? error.message : 'Something went wrong on our side.',
    },
  };
  if (error.details !== undefined && error.expose) {
    body.error.details = error.details;
  }
  return body;
}

/** The client closed the connection before its request arrived whole: nothing of ours failed. */
function clientWentAway(request: FastifyRequest): boolean {
  return request.raw.readableAborted || request.raw.socket.destroyed;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((raw: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (!(raw instanceof AppError) && clientWentAway(request)) {
      request.log.debug({ err: raw }, 'client closed the request');
      return reply
        .status(400)
        .send(envelopeOf(new AppError(400, 'request_aborted', 'The request was aborted.')));
    }
    const { bodyLimit, schema } = request.routeOptions;
    const error = toAppError(raw, {
      bodyLimit,
      ...(schema?.consumes === undefined ? {} : { consumes: schema.consumes }),
    });
    if (error.status >= 500) {
      request.log.error({ err: raw, code: error.code }, 'request failed');
    } else {
      request.log.info({ code: error.code, status: error.status }, 'request rejected');
    }
    if (error.headers !== undefined) {
      void reply.headers(error.headers);
    }
    return reply.status(error.status).send(envelopeOf(error));
  });
}
