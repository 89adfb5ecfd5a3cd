import { AsyncLocalStorage } from 'node:async_hooks';

const longWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` with the pools' long query timeout (DB_LONG_QUERY_TIMEOUT_MS)
 * instead of the ordinary one, for every query it issues however deep:
 * migrations, bulk generation writes, analytics rebuilds. Requests never do.
 */
export function withLongQueries<T>(work: () => Promise<T>): Promise<T> {
  return longWork.run(true, work);
}

/** True inside `withLongQueries`. */
export function inLongQueries(): boolean {
  return longWork.getStore() === true;
}

export interface QueryTimeouts {
  /** Every query, unless it runs inside `withLongQueries`. */
  readonly queryMs: number;
  readonly longQueryMs: number;
}

/** The timeout for a query issued from here. */
export function queryTimeoutMs(timeouts: QueryTimeouts): number {
  return inLongQueries() ? timeouts.longQueryMs : timeouts.queryMs;
}
