/**
 * Every stable `code` of the error envelope (`{ error: { code, message, details? } }`),
 * with the HTTP status it comes with. New codes are added here first; a code is
 * never renamed (clients branch on it).
 */
export const ERROR_CODES = [
  // 400
  'validation_failed',
  'bad_request',
  'request_aborted',
  'url_not_allowed',
  // 401
  'unauthenticated',
  'invalid_credentials',
  // 403
  'forbidden',
  'account_suspended',
  'driver_suspended',
  'insufficient_scope',
  // 404
  'not_found',
  // 408
  'request_timeout',
  // 409
  'conflict',
  'booking_taken',
  'offer_expired',
  'driver_busy',
  'quote_expired',
  'idempotency_key_reused',
  'email_taken',
  'plate_taken',
  'already_rated',
  'nothing_to_book',
  // 413
  'payload_too_large',
  // 414 (nginx in front of the instances)
  'uri_too_long',
  // 415
  'unsupported_media_type',
  // 422
  'invalid_transition',
  'over_capacity',
  'outside_service_area',
  'trip_too_long',
  'too_far_from_stop',
  'invalid_proof',
  'invalid_pin',
  // 423
  'pin_locked',
  // 429
  'rate_limited',
  // 431
  'headers_too_large',
  // 500
  'internal_error',
  // 505 (nginx in front of the instances)
  'http_version_not_supported',
  // 502, 503, 504: a dependency (or every instance behind nginx) is down
  'unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** True when `value` is one of the contract's error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return KNOWN.has(value);
}
