import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  api,
  ApiError,
  buildUrl,
  parseEnvelope,
  type PathParamNames,
  type RequestOf,
  type ResponseOf,
} from './client';
import { routes, type Routes } from './routes';

describe('buildUrl', () => {
  it('fills each :name segment from params, encoded', () => {
    expect(buildUrl('/v1/bookings/:id/cancel', { id: '42' })).toBe('/v1/bookings/42/cancel');
    expect(buildUrl('/v1/driver/offers/:bookingId/accept', { bookingId: 'a/b c' })).toBe(
      '/v1/driver/offers/a%2Fb%20c/accept',
    );
  });

  it('adds the query parameters that have a value, and only those', () => {
    expect(buildUrl('/v1/notifications', {}, { unread: true, limit: 100, cursor: undefined })).toBe(
      '/v1/notifications?unread=true&limit=100',
    );
    expect(buildUrl('/v1/admin/users', {}, { role: '', status: null, email: 'a@b.c' })).toBe(
      '/v1/admin/users?email=a%40b.c',
    );
    expect(buildUrl('/v1/me', {}, {})).toBe('/v1/me');
  });

  it('refuses a path whose parameter is missing instead of calling a wrong URL', () => {
    expect(() => buildUrl('/v1/bookings/:id', {})).toThrow('/v1/bookings/:id needs the parameter id');
  });

  it('every route path starts with /v1/ and names its parameters in camelCase', () => {
    for (const spec of Object.values(routes)) {
      expect(spec.path).toMatch(/^\/v1\/[a-z-]+(?:\/(?:[a-z-]+|:[a-z][A-Za-z]*))*$/);
    }
  });
});

describe('parseEnvelope', () => {
  it('keeps a contract code, the message and the details', () => {
    const error = parseEnvelope(409, {
      error: {
        code: 'booking_taken',
        message: 'Another driver already took this booking.',
        details: { a: 1 },
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.code).toBe('booking_taken');
    expect(error.message).toBe('Another driver already took this booking.');
    expect(error.details).toEqual({ a: 1 });
  });

  it('answers unknown_error for a code the contract does not have, keeping the message', () => {
    const error = parseEnvelope(418, { error: { code: 'teapot', message: 'I am a teapot.' } });
    expect(error.code).toBe('unknown_error');
    expect(error.message).toBe('I am a teapot.');
  });

  it('answers unavailable for a 5xx without an envelope and unknown_error for a 4xx', () => {
    expect(parseEnvelope(502, '<html>').code).toBe('unavailable');
    expect(parseEnvelope(502, '<html>').message).toBe('Request failed (502)');
    expect(parseEnvelope(400, undefined).code).toBe('unknown_error');
  });
});

describe('route types', () => {
  it('derive params from the path and bodies and answers from the schemas', () => {
    expectTypeOf<PathParamNames<'/v1/driver/offers/:bookingId/accept'>>().toEqualTypeOf<'bookingId'>();
    expectTypeOf<PathParamNames<'/v1/me'>>().toBeNever();
    expectTypeOf<RequestOf<Routes['bookings.cancel']>['params']>().toEqualTypeOf<Record<'id', string>>();
    expectTypeOf<RequestOf<Routes['bookings.setStatus']>['body']['status']>().toEqualTypeOf<
      ResponseOf<'bookings.get'>['status']
    >();
    expectTypeOf<ResponseOf<'driver.rejectOffer'>>().toEqualTypeOf<undefined>();
    expectTypeOf<ResponseOf<'driver.offers'>['items'][number]['bookingId']>().toEqualTypeOf<string>();
  });

  it('require what the route needs and nothing more', () => {
    // Never called: the compiler checks the calls.
    const calls = () => {
      // @ts-expect-error the booking's id is required
      void api('bookings.get');
      // @ts-expect-error a status move needs its body
      void api('bookings.setStatus', { params: { id: '1' } });
      // @ts-expect-error the status must be one of the contract's
      void api('bookings.setStatus', { params: { id: '1' }, body: { status: 'teleported' } });
      void api('driver.stats');
      void api('bookings.get', { params: { id: '1' } });
    };
    expect(typeof calls).toBe('function');
  });
});
