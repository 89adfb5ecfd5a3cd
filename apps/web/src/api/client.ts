/**
 * The typed REST client for the Loadline API (`/v1`): `api('bookings.get', { params: { id } })`
 * sends the route of `routes` with the stored bearer token and resolves with its answer,
 * typed from the contract's schema; an error answer rejects with `ApiError`.
 */
import { isErrorCode, type ErrorCode } from '@loadline/contracts';
import { routes, type RouteName, type Routes, type RouteSpec, type Schema } from './routes';

const TOKEN_KEY = 'loadline.token';

export function getStoredToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setStoredToken(token: string | null): void {
  try {
    if (token === null) {
      localStorage.removeItem(TOKEN_KEY);
    } else {
      localStorage.setItem(TOKEN_KEY, token);
    }
  } catch {
    // storage may be unavailable (private mode); the session then lives in memory only
  }
}

/** Window event announcing that the server no longer knows the session (the session context drops it). */
export const UNAUTHENTICATED_EVENT = 'loadline:unauthenticated';

/** Tells the app the session is gone: a REST call or the socket handshake was refused with `unauthenticated`. */
export function signalUnauthenticated(): void {
  window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
}

/** Codes the client makes up itself: no answer at all, or an answer without a contract code. */
export type ClientErrorCode = 'network_error' | 'unknown_error';

/** An error answer of the API, carrying the contract's stable `code`. */
export class ApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: ErrorCode | ClientErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The `ApiError` of an error answer: its envelope's code when the contract knows it. */
export function parseEnvelope(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, details } = body.error;
    return new ApiError(
      status,
      typeof code === 'string' && isErrorCode(code) ? code : 'unknown_error',
      typeof message === 'string' ? message : `Request failed (${status})`,
      isRecord(details) ? details : undefined,
    );
  }
  return new ApiError(status, status >= 500 ? 'unavailable' : 'unknown_error', `Request failed (${status})`);
}

type QueryValue = string | number | boolean | undefined | null;

/**
 * The URL of a route: `:name` segments from `params` (encoded), then the
 * query parameters that have a value (undefined, null and '' are left out).
 */
export function buildUrl(
  path: string,
  params: Readonly<Record<string, string>> = {},
  query: Readonly<Record<string, QueryValue>> = {},
): string {
  const filled = path.replace(/:([A-Za-z]+)/g, (_segment, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new Error(`${path} needs the parameter ${name}`);
    }
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text === '' ? filled : `${filled}?${text}`;
}

/** The `:name` segments of a path, as a union of names. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

// What TypeBox's `Static<S>` computes: the schema's `static` with no type parameters.
type StaticOf<S> = S extends Schema ? S['static'] : undefined;

interface CallOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** What a call of the route takes: `params` for its path, `body` and `query` by its schemas. */
export type RequestOf<S extends RouteSpec> = ([PathParamNames<S['path']>] extends [never]
  ? unknown
  : { params: Record<PathParamNames<S['path']>, string> }) &
  (S extends { body: Schema } ? { body: StaticOf<S['body']> } : unknown) &
  (S extends { query: Schema } ? { query?: StaticOf<S['query']> } : unknown) &
  CallOptions;

/** What a route answers (undefined for 204 No Content). */
export type ResponseOf<N extends RouteName> = StaticOf<Routes[N]['response']>;

/** The loose shape every `RequestOf` has, as `send` reads it. */
interface SendInput extends CallOptions {
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
}

async function send<S extends RouteSpec>(spec: S, input: SendInput): Promise<StaticOf<S['response']>> {
  const headers: Record<string, string> = { ...input.headers };
  let body: string | undefined;
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  }
  const parsed = await exchange(buildUrl(spec.path, input.params, input.query), {
    method: spec.method,
    headers,
    body,
    signal: input.signal,
  });
  // The one trust boundary: the server answers the route's schema (its serializer enforces it).
  return parsed as StaticOf<S['response']>;
}

// The request may be left out when none of its fields is required.
type Args<N extends RouteName> =
  Partial<RequestOf<Routes[N]>> extends RequestOf<Routes[N]>
    ? [request?: RequestOf<Routes[N]>]
    : [request: RequestOf<Routes[N]>];

/** Calls one route of the API; resolves with its typed answer, rejects with `ApiError`. */
export function api<N extends RouteName>(route: N, ...[request]: NoInfer<Args<N>>): Promise<ResponseOf<N>> {
  return send(routes[route], request ?? {});
}

/** A human message for anything thrown by `api` or a socket ack. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    return error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return 'Something went wrong.';
}

/**
 * One request with the stored bearer token, answered as parsed JSON (undefined
 * for no body); an error answer rejects with `ApiError` (and a refused session
 * signals `UNAUTHENTICATED_EVENT`), no answer at all with `network_error`.
 * `api` sends JSON through it; `sendBytes` raw bytes.
 */
async function exchange(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: BodyInit | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const token = getStoredToken();
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers,
      body: init.body,
      signal: init.signal,
      credentials: 'same-origin',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, 'network_error', 'Cannot reach Loadline. Check your connection.');
  }
  const text = response.status === 204 ? '' : await response.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const error = parseEnvelope(response.status, parsed);
    if (response.status === 401 && error.code === 'unauthenticated') {
      signalUnauthenticated();
    }
    throw error;
  }
  return parsed;
}

/** POSTs raw bytes (`file.type` as the content type) to `path`; the answer unchecked, for the caller to check. */
export function sendBytes(path: `/v1/${string}`, file: Blob, signal?: AbortSignal): Promise<unknown> {
  return exchange(path, { method: 'POST', headers: { 'content-type': file.type }, body: file, signal });
}
