import { setTimeout as sleep } from 'node:timers/promises';

/** A failed call: the contract's error envelope, or `network_error` (status 0) when no answer came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Thrown instead of waiting out a Retry-After once the simulator is stopping. */
export class StoppedError extends Error {
  constructor() {
    super('the simulator is stopping');
    this.name = 'StoppedError';
  }
}

export function isApiError(error: unknown, status?: number, code?: string): error is ApiError {
  return (
    error instanceof ApiError &&
    (status === undefined || error.status === status) &&
    (code === undefined || error.code === code)
  );
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Bytes sent as they are (a file upload) instead of a JSON `body`. */
  raw?: { contentType: string; bytes: Uint8Array };
  headers?: Record<string, string>;
  /** How many 429s to wait out before giving up (default 3; Infinity for account setup). */
  rateLimitRetries?: number;
  /** Network errors and 502/503/504 to retry (default 0; safe only for idempotent calls). */
  transientRetries?: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Aborted when the simulator stops: ends Retry-After waits (requests in flight still finish). */
  stopSignal: AbortSignal;
  /** Told about every 429, before the wait. */
  onRateLimited?: (path: string, retryAfterSeconds: number) => void;
  requestTimeoutMs?: number;
}

const TRANSIENT_STATUSES = new Set([0, 502, 503, 504]);

/** JSON over fetch with the contract's errors, Retry-After back-off and bounded retries. */
export class HttpClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** One call; the body is returned unchecked (the caller names the contract's type). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const rateLimitRetries = options.rateLimitRetries ?? 3;
    const transientRetries = options.transientRetries ?? 0;
    let rateLimited = 0;
    let transient = 0;
    for (;;) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        if (isApiError(error, 429) && rateLimited < rateLimitRetries) {
          rateLimited += 1;
          const seconds = error.retryAfterSeconds ?? 1;
          this.options.onRateLimited?.(path, seconds);
          // A little spread so throttled agents do not all come back in the same millisecond.
          await this.pause(seconds * 1000 + Math.random() * 500);
          continue;
        }
        if (
          error instanceof ApiError &&
          TRANSIENT_STATUSES.has(error.status) &&
          transient < transientRetries
        ) {
          transient += 1;
          await this.pause(250 * 2 ** transient);
          continue;
        }
        throw error;
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.options.stopSignal.aborted) {
      throw new StoppedError();
    }
    try {
      await sleep(ms, undefined, { signal: this.options.stopSignal });
    } catch {
      throw new StoppedError();
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }
    if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const body =
      options.raw !== undefined
        ? options.raw.bytes
        : options.body === undefined
          ? undefined
          : JSON.stringify(options.body);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause : error) : null;
      throw new ApiError(0, 'network_error', `${method} ${path}: ${reason?.message ?? String(error)}`);
    }
    if (response.ok) {
      return (text === '' ? null : JSON.parse(text)) as T;
    }
    throw errorOf(method, path, response, text);
  }
}

function errorOf(method: string, path: string, response: Response, text: string): ApiError {
  let code = `http_${response.status}`;
  let message = text.slice(0, 200);
  try {
    const envelope = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof envelope.error?.code === 'string') {
      code = envelope.error.code;
    }
    if (typeof envelope.error?.message === 'string') {
      message = envelope.error.message;
    }
  } catch {
    // Not the contract's envelope (a proxy's page, say): keep the status as the code.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(
    response.status,
    code,
    `${method} ${path}: ${response.status} ${code}: ${message}`,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
  );
}
