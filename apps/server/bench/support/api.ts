/** Plain-fetch JSON calls for setup: fast enough there, and nothing to configure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Statuses that count as success (default: any 2xx). */
  expect?: readonly number[];
}

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  /** One JSON call; the body is returned unchecked (cast it to the contract's type at the call site). */
  async call(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const ok = options.expect === undefined ? response.ok : options.expect.includes(response.status);
    if (!ok) {
      throw new ApiError(response.status, text, `${method} ${path}`);
    }
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time; results keep the items' order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
