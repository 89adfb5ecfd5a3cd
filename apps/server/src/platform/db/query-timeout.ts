import { AsyncLocalStorage } from 'node:async_hooks';

const longWork = new AsyncLocalStorage<true>();
let longWorkRunning = 0;

/**
 * Runs `work` with the pools' long query timeout (DB_LONG_QUERY_TIMEOUT_MS)
 * instead of the ordinary one, for every query it issues however deep:
 * migrations, bulk generation writes, analytics rebuilds. Requests never do.
 *
 * The storage is switched off again once no long work runs: while any
 * AsyncLocalStorage is on, Node runs a hook at every promise the process
 * makes, and a request path makes many (about 4 % of a busy API process).
 */
export async function withLongQueries<T>(work: () => Promise<T>): Promise<T> {
  longWorkRunning += 1;
  try {
    return await longWork.run(true, work);
  } finally {
    longWorkRunning -= 1;
    if (longWorkRunning === 0) {
      longWork.disable();
    }
  }
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
