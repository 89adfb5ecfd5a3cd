import type { ErrorCode } from '@loadline/contracts';

/**
 * The one error type of the platform. `code` is stable and part of the public
 * contract: it is typed as the contracts' `ErrorCode`, so a code the contract
 * does not list fails typecheck. `status` is the HTTP status it maps to;
 * `expose` says whether the message may be shown to a client (5xx messages
 * never are).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: {
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
      expose?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const errors = {
  validation: (message: string, details?: Record<string, unknown>) =>
    new AppError(400, 'validation_failed', message, details === undefined ? {} : { details }),
  unauthenticated: (message = 'Authentication is required.') => new AppError(401, 'unauthenticated', message),
  invalidCredentials: () => new AppError(401, 'invalid_credentials', 'Email or password is incorrect.'),
  forbidden: (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message),
  notFound: (what = 'Resource') => new AppError(404, 'not_found', `${what} was not found.`),
  conflict: (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
    new AppError(409, code, message, details === undefined ? {} : { details }),
  payloadTooLarge: (limitBytes: number) =>
    new AppError(413, 'payload_too_large', `Request body is larger than ${limitBytes} bytes.`),
  invalidTransition: (from: string, to: string) =>
    new AppError(422, 'invalid_transition', `Cannot move from ${from} to ${to}.`, { details: { from, to } }),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'rate_limited', 'Too many requests; slow down.', {
      headers: { 'retry-after': String(retryAfterSeconds) },
      details: { retryAfterSeconds },
    }),
  unavailable: (dependency: string, cause?: unknown) =>
    new AppError(503, 'unavailable', `A dependency is unavailable: ${dependency}.`, {
      details: { dependency },
      cause,
      expose: true,
    }),
  moving: (shardLabel: string, cause?: unknown) =>
    new AppError(503, 'unavailable', 'This data is moving to another shard; retry in a second.', {
      headers: { 'retry-after': '1' },
      details: { dependency: shardLabel, retryAfterSeconds: 1 },
      cause,
      expose: true,
    }),
} as const;

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
