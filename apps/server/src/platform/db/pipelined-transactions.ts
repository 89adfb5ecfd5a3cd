import {
  CompiledQuery,
  type Compilable,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** A shard's Kysely instance or a transaction open on it (of any table set). */
interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** Statements whose answer nobody reads: inside a transaction they may wait for the next round trip. */
const LATER = new WeakSet<CompiledQuery>();

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/**
 * Runs a write whose answer the caller does not need (an INSERT of a row that
 * is minted unique, an event, an outbox entry). Inside a transaction on a
 * MySQL/MariaDB shard it travels with the transaction's next statement, or
 * with its COMMIT, in one round trip (ADR 0034); anywhere else it runs now.
 * Its failure then surfaces from that later call, and the transaction rolls
 * back as a whole either way.
 */
export async function executeLater(db: QueryRunner, query: Compilable): Promise<void> {
  const compiled = query.compile();
  LATER.add(compiled);
  await db.executeQuery(compiled);
}

/**
 * Wraps a MySQL/MariaDB dialect (its pool must allow multiple statements) so
 * that what opens a transaction (its settings, BEGIN) and its `executeLater`
 * writes are held back and sent with the next statement whose answer is
 * awaited, or with the COMMIT, as one multi-statement query. A transaction
 * that only writes costs one round trip instead of one per statement plus
 * two. The server runs the statements in order and stops at the first
 * failure; the rollback that follows undoes the ones before it.
 */
export function pipelineTransactions(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => new PipeliningDriver(inner.createDriver()),
  };
}

class PipeliningDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PipeliningConnection(await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    asPipelined(connection).holdBegin(openingStatements(settings));
    return Promise.resolve();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return asPipelined(connection).commit();
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return asPipelined(connection).rollback();
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const pipelined = asPipelined(connection);
    pipelined.forget();
    return this.inner.releaseConnection(pipelined.inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * What opens a transaction, as Kysely's MySQL driver sends it: the next
 * transaction's settings (Kysely checked them against its own list), then BEGIN.
 */
function openingStatements(settings: TransactionSettings): CompiledQuery[] {
  const parts = [
    ...(settings.isolationLevel === undefined ? [] : [`isolation level ${settings.isolationLevel}`]),
    ...(settings.accessMode === undefined ? [] : [settings.accessMode]),
  ];
  return parts.length === 0 ? [BEGIN] : [CompiledQuery.raw(`set transaction ${parts.join(', ')}`), BEGIN];
}

class PipeliningConnection implements DatabaseConnection {
  /** Statements held back, in order; first those that open the transaction while the server has not seen them. */
  private held: CompiledQuery[] = [];
  private opening = 0;
  private inTransaction = false;
  private serverInTransaction = false;

  constructor(readonly inner: DatabaseConnection) {}

  holdBegin(opening: readonly CompiledQuery[]): void {
    this.inTransaction = true;
    this.serverInTransaction = false;
    this.held = [...opening];
    this.opening = opening.length;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && LATER.has(compiledQuery)) {
      this.held.push(compiledQuery);
      return Promise.resolve({ rows: [] });
    }
    return this.send<R>(compiledQuery);
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    const held = this.held.pop();
    if (held !== undefined) {
      await this.send(held);
    }
    yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }

  async commit(): Promise<void> {
    if (!this.serverInTransaction && this.held.length === this.opening) {
      // Nothing ran: there is nothing to commit.
      this.held = [];
      this.inTransaction = false;
      return;
    }
    // Should this fail, the rollback that follows needs to know the server opened the transaction.
    await this.send(COMMIT);
    this.inTransaction = false;
    this.serverInTransaction = false;
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    this.held = [];
    if (this.serverInTransaction) {
      this.serverInTransaction = false;
      await this.inner.executeQuery(ROLLBACK);
    }
  }

  forget(): void {
    this.inTransaction = false;
    this.serverInTransaction = false;
    this.held = [];
    this.opening = 0;
  }

  /** Sends the held statements and `last` as one query; answers with `last`'s result. */
  private async send<R>(last: CompiledQuery): Promise<QueryResult<R>> {
    const batch = [...this.held, last];
    this.held = [];
    if (this.inTransaction && !this.serverInTransaction) {
      // Even a batch that fails part-way may have opened the transaction: the rollback must follow.
      this.serverInTransaction = true;
    }
    if (batch.length === 1) {
      return this.inner.executeQuery<R>(last);
    }
    const result = await this.inner.executeQuery<unknown>(
      CompiledQuery.raw(
        batch.map((statement) => statement.sql).join(';\n'),
        batch.flatMap((statement) => statement.parameters),
      ),
    );
    // One answer per statement, in order.
    return lastAnswer<R>(result.rows, batch.length);
  }
}

function asPipelined(connection: DatabaseConnection): PipeliningConnection {
  if (!(connection instanceof PipeliningConnection)) {
    throw new TypeError('pipelineTransactions: a connection this driver did not acquire');
  }
  return connection;
}

interface OkPacket {
  insertId?: number | string | bigint | null;
  affectedRows?: number | null;
  changedRows?: number | null;
}

function isOkPacket(value: unknown): value is OkPacket {
  return typeof value === 'object' && value !== null && 'insertId' in value && 'affectedRows' in value;
}

/** The last statement's answer of a multi-statement query, shaped as Kysely's MySQL driver shapes one. */
function lastAnswer<R>(answers: readonly unknown[], statements: number): QueryResult<R> {
  if (answers.length !== statements) {
    throw new Error(`a batch of ${statements} statements came back with ${answers.length} answers`);
  }
  const last = answers[answers.length - 1];
  if (isOkPacket(last)) {
    const { insertId, affectedRows, changedRows } = last;
    return {
      ...(insertId !== undefined && insertId !== null && insertId.toString() !== '0'
        ? { insertId: BigInt(insertId) }
        : {}),
      ...(affectedRows === undefined || affectedRows === null
        ? {}
        : { numAffectedRows: BigInt(affectedRows) }),
      ...(changedRows === undefined || changedRows === null ? {} : { numChangedRows: BigInt(changedRows) }),
      rows: [],
    };
  }
  return { rows: Array.isArray(last) ? (last as R[]) : [] };
}
