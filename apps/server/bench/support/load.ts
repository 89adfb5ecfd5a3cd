import autocannon from 'autocannon';

export interface LoadOptions {
  /** One base URL per server instance; connections are dealt over them in turn. */
  urls: readonly string[];
  connections: number;
  durationSeconds: number;
  /** Installs the request generator of one connection (autocannon's `setupClient`). */
  setupClient: (client: autocannon.Client) => void;
}

export interface LoadResult {
  /** Wall time from the first start to the last finish. */
  seconds: number;
  /** autocannon's own counts, summed over instances: connection errors (timeouts included) and timeouts. */
  connectionErrors: number;
  timeouts: number;
  /** autocannon's own request total and p99 (per instance; the highest), to cross-check ours. */
  autocannonRequests: number;
  autocannonP99Ms: number;
}

const running = new Set<autocannon.Instance>();

/** Stops every load run in progress (teardown on a signal). */
export function stopAllLoad(): void {
  for (const instance of running) {
    instance.stop();
  }
}

/**
 * Runs autocannon against every URL at once for `durationSeconds`; each run
 * stops by itself. With N URLs, connection i goes to URL i mod N.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { urls, connections } = options;
  const shares = urls.map(
    (_, i) => Math.floor(connections / urls.length) + (i < connections % urls.length ? 1 : 0),
  );
  const started = performance.now();
  const results = await Promise.all(
    urls.map(
      (url, i) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon(
            {
              url,
              connections: Math.max(1, shares[i] ?? 1),
              duration: options.durationSeconds,
              timeout: 10,
              pipelining: 1,
              setupClient: options.setupClient,
            },
            (error: unknown, result: autocannon.Result) => {
              running.delete(instance);
              if (error !== null && error !== undefined) {
                reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
              } else {
                resolve(result);
              }
            },
          );
          running.add(instance);
        }),
    ),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    connectionErrors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    autocannonRequests: results.reduce((sum, result) => sum + result.requests.total, 0),
    autocannonP99Ms: Math.max(...results.map((result) => result.latency.p99)),
  };
}
