import { readFileSync } from 'node:fs';
import { isErrorCode, type AckError, type ErrorCode } from '@loadline/contracts';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AppError, errors } from './errors';

describe('error codes', () => {
  it('an AppError, a conflict and a socket ack carry only a code the contract lists', () => {
    // Checked by typecheck: a code missing from the contract's ERROR_CODES does not compile.
    expectTypeOf<AppError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<ConstructorParameters<typeof AppError>[1]>().toEqualTypeOf<ErrorCode>();
    expectTypeOf(errors.conflict).parameter(0).toEqualTypeOf<ErrorCode>();
    expectTypeOf<AckError['error']['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('every shared error answers its contract code and status', () => {
    const made = [
      errors.validation('Bad.'),
      errors.unauthenticated(),
      errors.invalidCredentials(),
      errors.forbidden(),
      errors.notFound('Booking'),
      errors.conflict('booking_taken', 'Taken.'),
      errors.payloadTooLarge(65_536),
      errors.invalidTransition('searching', 'delivered'),
      errors.rateLimited(3),
      errors.unavailable('redis'),
    ];
    expect(made.map((error) => [error.status, error.code])).toEqual([
      [400, 'validation_failed'],
      [401, 'unauthenticated'],
      [401, 'invalid_credentials'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [409, 'booking_taken'],
      [413, 'payload_too_large'],
      [422, 'invalid_transition'],
      [429, 'rate_limited'],
      [503, 'unavailable'],
    ]);
    expect(made.filter((error) => !isErrorCode(error.code))).toEqual([]);
  });

  it("nginx's own error answers use codes the contract lists", () => {
    const template = readFileSync(
      new URL('../../../../deploy/nginx/nginx.conf.template', import.meta.url),
      'utf8',
    );
    const codes = [...template.matchAll(/"code":"([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(codes).toEqual([
      'bad_request',
      'not_found',
      'request_timeout',
      'payload_too_large',
      'uri_too_long',
      'headers_too_large',
      'internal_error',
      'http_version_not_supported',
      'unavailable',
    ]);
    expect(codes.filter((code) => !isErrorCode(code))).toEqual([]);
  });
});
