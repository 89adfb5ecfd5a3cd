import { sql, type Selectable } from 'kysely';
import { isId } from '@loadline/contracts';
import type { Database, GenerationJobsTable } from '../../platform/db/schema';
import type { Executor, SqlDialectName } from '../../platform/db/shard-pool';
import { sumBookingDeltas, sumDriverDeltas } from '../analytics/contributions';
import { RollupsRepository } from '../analytics/rollups.repository';
import type { PooledDriver, ShardBatch } from './chunk-plan';

export type GenerationJobRow = Selectable<GenerationJobsTable>;

/** Columns holding 64-bit IDs: written as bare integers so they never pass through a double. */
const ID_COLUMNS = new Set([
  'id',
  'owner_id',
  'user_id',
  'vehicle_id',
  'driver_id',
  'booking_id',
  'customer_id',
  'actor_id',
  'quote_id',
  'active_booking_id',
]);

/** Bytes of SQL one multi-row statement may carry (well under MySQL's 16 MiB packet default). */
const STATEMENT_BYTES = 1024 * 1024;
/** SQLite compiles long statements slowly; smaller ones are faster there. */
const SQLITE_ROWS_PER_STATEMENT = 500;

/**
 * Generation jobs, their chunk marks, the pools bookings draw on, and the bulk
 * writer: one multi-row INSERT per table and statement-sized slice, rendered
 * as literal SQL (tens of thousands of rows per second do not fit through
 * per-value parameter binding on this hardware).
 */
export class GenerationRepository {
  private readonly rollups = new RollupsRepository();

  async insertJob(db: Executor, row: GenerationJobRow): Promise<void> {
    await db.insertInto('generation_jobs').values(row).execute();
  }

  async findJob(db: Executor, id: string): Promise<GenerationJobRow | undefined> {
    return db.selectFrom('generation_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The first generation index no job has taken yet (call inside the transaction that inserts the job). */
  async nextIndexBase(db: Executor, dialect: SqlDialectName): Promise<number> {
    let query = db
      .selectFrom('generation_jobs')
      .select(sql<number | string | null>`max(index_base + total)`.as('next'));
    if (dialect === 'mysql') {
      query = query.forUpdate();
    }
    const row = await query.executeTakeFirst();
    return Number(row?.next ?? 0);
  }

  async setState(
    db: Executor,
    id: string,
    change: { state: GenerationJobRow['state']; now: number; error?: string },
  ): Promise<void> {
    await db
      .updateTable('generation_jobs')
      .set({
        state: change.state,
        updated_at: change.now,
        ...(change.state === 'completed' || change.state === 'failed' ? { finished_at: change.now } : {}),
        ...(change.error === undefined ? {} : { error: change.error.slice(0, 500) }),
      })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .execute();
  }

  /** Claims one part of a chunk; false when an earlier try already wrote it. */
  async mark(
    db: Executor,
    dialect: SqlDialectName,
    jobId: string,
    chunk: number,
    part: string,
  ): Promise<boolean> {
    const insert = db.insertInto('generation_marks').values({ job_id: jobId, chunk, part });
    const result = await (dialect === 'mysql' ? insert.ignore() : insert.orIgnore()).executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Adds a finished chunk's rows to the job's progress and completes the job with its last chunk. */
  async addProgress(db: Executor, jobId: string, rows: number, now: number): Promise<void> {
    await db
      .updateTable('generation_jobs')
      .set((eb) => ({ done: eb('done', '+', rows), updated_at: now, state: 'running' }))
      .where('id', '=', jobId)
      .where('state', 'in', ['queued', 'running'])
      .execute();
    await db
      .updateTable('generation_jobs')
      .set({ state: 'completed', finished_at: now, updated_at: now })
      .where('id', '=', jobId)
      .where('state', '=', 'running')
      .where(sql<boolean>`done >= total`)
      .execute();
  }

  /** Customers bookings can be generated for: this shard's newest active ones. */
  async customerPool(db: Executor, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'customer')
      .where('status', '=', 'active')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Drivers bookings can be generated for, with their vehicles: this shard's newest active ones. */
  async driverPool(db: Executor, limit: number): Promise<PooledDriver[]> {
    const rows = await db
      .selectFrom('drivers')
      .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
      .select(['drivers.user_id', 'vehicles.type', 'vehicles.capacity_kg'])
      .where('drivers.suspended', '=', 0)
      .orderBy('drivers.user_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.user_id,
      vehicleType: row.type,
      capacityKg: row.capacity_kg,
    }));
  }

  /** Writes one chunk's rows and roll-up deltas for one shard (call inside its transaction). */
  async writeBatch(db: Executor, dialect: SqlDialectName, batch: ShardBatch): Promise<void> {
    await this.insertRows(db, dialect, 'users', batch.users);
    // A generated email or plate someone already holds keeps its holder; the directory stays one-to-one.
    await this.insertRows(db, dialect, 'lookup_directory', batch.lookups, { ignoreDuplicates: true });
    await this.insertRows(db, dialect, 'vehicles', batch.vehicles);
    await this.insertRows(db, dialect, 'drivers', batch.drivers);
    await this.insertRows(db, dialect, 'bookings', batch.bookings);
    await this.insertRows(db, dialect, 'booking_events', batch.events);
    await this.insertRows(db, dialect, 'driver_jobs', batch.driverTrips);
    await this.insertRows(db, dialect, 'offers', batch.offers);
    await this.rollups.addBookingDaily(db, dialect, sumBookingDeltas(batch.bookingDaily));
    await this.rollups.addDriverDaily(db, dialect, sumDriverDeltas(batch.driverDaily));
  }

  private async insertRows(
    db: Executor,
    dialect: SqlDialectName,
    table: keyof Database,
    rows: readonly object[],
    options: { ignoreDuplicates?: boolean } = {},
  ): Promise<void> {
    const first = rows[0];
    if (first === undefined) {
      return;
    }
    const columns = Object.keys(first);
    const verb =
      options.ignoreDuplicates === true
        ? dialect === 'mysql'
          ? 'insert ignore'
          : 'insert or ignore'
        : 'insert';
    const head = `${verb} into ${table} (${columns.join(', ')}) values `;
    const quote = dialect === 'mysql' ? mysqlString : sqliteString;
    let tuples: string[] = [];
    let bytes = head.length;
    const flush = async () => {
      if (tuples.length > 0) {
        // Rendering is CPU work: let requests waiting on this process run between statements.
        await new Promise((resolve) => setImmediate(resolve));
        await sql.raw(head + tuples.join(',')).execute(db);
        tuples = [];
        bytes = head.length;
      }
    };
    const idColumn = columns.map((column) => ID_COLUMNS.has(column));
    for (const row of rows) {
      const record = row as Record<string, unknown>;
      // A plain loop: this runs for every value of millions of rows.
      let tuple = '(';
      for (let index = 0; index < columns.length; index += 1) {
        if (index > 0) {
          tuple += ',';
        }
        tuple += literal(record[columns[index] ?? ''], idColumn[index] === true, quote);
      }
      tuple += ')';
      tuples.push(tuple);
      bytes += tuple.length + 1;
      if (bytes >= STATEMENT_BYTES || (dialect === 'sqlite' && tuples.length >= SQLITE_ROWS_PER_STATEMENT)) {
        await flush();
      }
    }
    await flush();
  }
}

function literal(value: unknown, idColumn: boolean, quote: (text: string) => string): string {
  if (value === null || value === undefined) {
    return 'NULL';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new RangeError(`cannot write ${value} to SQL`);
    }
    return String(value);
  }
  if (typeof value === 'string') {
    if (idColumn) {
      if (!isId(value)) {
        throw new RangeError(`not an id: ${value}`);
      }
      return value;
    }
    return quote(value);
  }
  throw new TypeError(`cannot write a ${typeof value} to SQL`);
}

/** A MySQL string literal, escaped as the server's default sql_mode expects (backslash escapes). */
// eslint-disable-next-line no-control-regex -- these are the characters MySQL wants escaped
const MYSQL_SPECIAL = /[\0\b\t\n\r\x1a"'\\]/;
// eslint-disable-next-line no-control-regex -- the same, for replacing every one
const MYSQL_SPECIAL_ALL = /[\0\b\t\n\r\x1a"'\\]/g;

function mysqlString(text: string): string {
  // Most generated text needs no escaping; testing first skips the replace and its garbage.
  if (!MYSQL_SPECIAL.test(text)) {
    return `'${text}'`;
  }
  return `'${text.replace(MYSQL_SPECIAL_ALL, (char) => MYSQL_ESCAPES[char] ?? char)}'`;
}

const MYSQL_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  '"': '\\"',
  "'": "\\'",
  '\\': '\\\\',
};

function sqliteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
