import { ErrorEnvelope } from '@loadline/contracts';

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 423 | 429 | 503;

/**
 * The error responses a route documents, all with the contract's envelope:
 * `errorResponses(400, 401, 404)` for a route's `schema.response`.
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorEnvelope> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope])) as Record<
    S,
    typeof ErrorEnvelope
  >;
}

/** Security requirement of routes that need a session token, for the OpenAPI document. */
export const bearerSecurity = [{ bearer: [] }];

/** For a route whose body is optional (a `preValidation` hook): a bare POST is validated as `{}`. */
export function emptyBodyAsObject(request: { body: unknown }, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}
