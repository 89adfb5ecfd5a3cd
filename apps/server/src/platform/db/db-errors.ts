import { AppError, errors } from '../../lib/errors';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True when the database itself could not be reached (as opposed to a bad query). */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return true;
  }
  return (
    error instanceof Error &&
    /connection (is in closed state|lost)|can't add new command when connection/i.test(error.message)
  );
}

/** True when an insert hit a primary key or unique index. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/**
 * Server error numbers for `LOAD DATA LOCAL INFILE` turned off on the server or the client:
 * MySQL's ER_NOT_ALLOWED_COMMAND and ER_CLIENT_LOCAL_FILES_DISABLED, MariaDB's
 * ER_LOAD_INFILE_CAPABILITY_DISABLED (which mysql2 has no name for).
 */
const LOCAL_INFILE_REFUSED = new Set([1148, 3948, 4166]);

/** True when the server or the client has `LOAD DATA LOCAL INFILE` turned off (nothing was written). */
export function isLocalInfileRefused(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'errno' in error &&
    typeof error.errno === 'number' &&
    LOCAL_INFILE_REFUSED.has(error.errno)
  );
}

/**
 * True when the database rolled the transaction back to break a lock conflict
 * (InnoDB deadlock or lock wait timeout, SQLite busy): running it again is correct.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/** Runs a transaction again (up to `attempts` times) when the database rolled it back to break a lock conflict. */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) {
        throw error;
      }
    }
  }
}

/** The message of the `SIGNAL` a shard's guard trigger raises (ADR 0024; see resharding/shard-triggers.ts). */
export const FENCED_MESSAGE = 'loadline_shard_fenced';

/** True when a shard refused a write because its rows are moving to another shard, or have moved. */
export function isShardFenced(error: unknown): boolean {
  return (
    codeOf(error) === 'ER_SIGNAL_EXCEPTION' &&
    error instanceof Error &&
    error.message.includes(FENCED_MESSAGE)
  );
}

const fencedListeners = new Set<() => void>();

/** Calls `listener` whenever a shard refuses a write as fenced (the map follower reloads then). */
export function onShardFenced(listener: () => void): () => void {
  fencedListeners.add(listener);
  return () => fencedListeners.delete(listener);
}

/**
 * Turns an unreachable-database error into 503 naming the shard, and a write
 * refused because its rows are moving into 503 with `Retry-After: 1`; leaves
 * others alone.
 */
export function mapShardError(error: unknown, shardLabel: string): unknown {
  if (error instanceof AppError) {
    return error;
  }
  if (isShardFenced(error)) {
    for (const listener of fencedListeners) {
      listener();
    }
    return errors.moving(shardLabel, error);
  }
  return isConnectionError(error) ? errors.unavailable(shardLabel, error) : error;
}
