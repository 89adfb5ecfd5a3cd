import type {
  MysqlPool,
  MysqlPoolConnection,
  MysqlQueryResult,
  MysqlStream,
  MysqlStreamOptions,
} from 'kysely';
import type { Pool, PoolConnection, QueryError, ResultSetHeader, RowDataPacket } from 'mysql2';
import { queryTimeoutMs, type QueryTimeouts } from './query-timeout';

/** mysql2's code for a query that outlived its `timeout`; db-errors maps it to 503. */
const TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

function discardedError(cause: QueryError): Error {
  return Object.assign(new Error('Connection discarded: a query on it timed out', { cause }), {
    code: TIMEOUT_CODE,
  });
}

/**
 * One checkout of a pooled connection. mysql2's query `timeout` gives up on
 * the answer but leaves the query at the head of the connection, where the
 * next one (Kysely's ROLLBACK) would wait behind it with no timer running, and
 * a released connection would carry it back into the pool. So a connection
 * whose query timed out is destroyed at once, which also frees its pool slot
 * for a fresh connection, and what is asked of it afterwards fails at once.
 */
class TimedConnection implements MysqlPoolConnection {
  private failure: Error | null = null;

  constructor(
    private readonly raw: PoolConnection,
    private readonly timeouts: QueryTimeouts,
  ) {}

  query(sql: string, parameters: unknown[]): { stream: <T>(options: MysqlStreamOptions) => MysqlStream<T> };
  query(
    sql: string,
    parameters: unknown[],
    callback: (error: unknown, result: MysqlQueryResult) => void,
  ): void;
  query(
    sql: string,
    parameters: unknown[],
    callback?: (error: unknown, result: MysqlQueryResult) => void,
  ): { stream: <T>(options: MysqlStreamOptions) => MysqlStream<T> } | undefined {
    if (callback === undefined) {
      // Streams read at their own pace: no timeout.
      return this.raw.query(sql, parameters);
    }
    const failure = this.failure;
    if (failure !== null) {
      process.nextTick(() => callback(failure, []));
      return undefined;
    }
    let answered = false;
    this.raw.query<ResultSetHeader | RowDataPacket[]>(
      { sql, timeout: queryTimeoutMs(this.timeouts) },
      parameters,
      (error, result) => {
        // A destroyed connection reports its timed-out query a second time.
        if (answered) {
          return;
        }
        answered = true;
        if (error !== null && error.code === TIMEOUT_CODE) {
          this.failure = discardedError(error);
          this.raw.destroy();
        }
        callback(error, result);
      },
    );
    return undefined;
  }

  release(): void {
    if (this.failure === null) {
      this.raw.release();
    }
  }
}

/** A mysql2 pool for Kysely's MysqlDialect whose queries time out (see TimedConnection). */
export function timedMysqlPool(pool: Pool, timeouts: QueryTimeouts): MysqlPool {
  return {
    getConnection: (callback) => {
      pool.getConnection((error, connection) => {
        // On an error mysql2 passes no connection; Kysely reads only the error then.
        callback(error, new TimedConnection(connection, timeouts));
      });
    },
    end: (callback) => {
      pool.end(callback);
    },
  };
}
