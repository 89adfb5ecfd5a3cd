import { sql, type Selectable } from 'kysely';
import { Readable } from 'node:stream';
import type { Database, GenerationJobsTable } from '../../platform/db/schema';
import { isLocalInfileRefused } from '../../platform/db/db-errors';
import { localInfiles } from '../../platform/db/local-infile';
import { selectWithIndex, type HintTarget } from '../../platform/db/index-hints';
import type { Executor, SqlDialectName } from '../../platform/db/shard-pool';
import { sumBookingDeltas, sumDriverDeltas } from '../analytics/contributions';
import { RollupsRepository } from '../analytics/rollups.repository';
import { layoutOf, lookupsLayout, sqlTuple, usersLayout, type RowLayout } from './bulk-text';
import type { PooledDriver, ShardBatch } from './chunk-plan';

export type GenerationJobRow = Selectable<GenerationJobsTable>;

/** Bytes of SQL one multi-row statement may carry (well under MySQL's 16 MiB packet default). */
const STATEMENT_BYTES = 1024 * 1024;
/** SQLite compiles long statements slowly; smaller ones are faster there. */
const SQLITE_ROWS_PER_STATEMENT = 500;
/** Bytes of LOAD DATA text rendered between two reads of the stream the statement sends. */
const LOAD_BLOCK_BYTES = 128 * 1024;

export interface GenerationRepositoryOptions {
  /** Write MySQL rows with LOAD DATA LOCAL INFILE (default); multi-row INSERT otherwise. */
  loadData?: boolean;
  /** Called once when the server refuses LOAD DATA LOCAL and writes fall back to INSERT. */
  onLoadDataRefused?: (error: unknown) => void;
}

/**
 * Generation jobs, their chunk marks, the pools bookings draw on, and the bulk
 * writer. On MySQL each table's rows go in one LOAD DATA LOCAL INFILE
 * statement, streamed as tab-separated text as the server reads it; where the
 * server refuses that, and on SQLite, in one multi-row INSERT per
 * statement-sized slice rendered as literal SQL (tens of thousands of rows per
 * second do not fit through per-value parameter binding on this hardware).
 * Both run inside the caller's transaction, so a chunk's rows commit with its
 * mark or not at all.
 */
export class GenerationRepository {
  private readonly rollups = new RollupsRepository();
  private loadData: boolean;
  /** Statements already running when the first refusal came are refused too; it is reported once. */
  private refusalReported = false;

  constructor(private readonly options: GenerationRepositoryOptions = {}) {
    this.loadData = options.loadData ?? true;
  }

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
  async customerPool(shard: HintTarget, limit: number): Promise<string[]> {
    const newest = shard.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'customer')
      .where('status', '=', 'active')
      .orderBy('id', 'desc')
      .limit(limit);
    // One range of the index (ADR 0039); left to itself MariaDB may intersect two and sort millions of rows.
    const rows = await selectWithIndex(shard, newest, 'users', 'users_role_status_id');
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
    await this.writeRows(db, dialect, 'users', batch.users, { layout: usersLayout });
    // A generated email or plate someone already holds keeps its holder; the directory stays one-to-one.
    await this.writeRows(db, dialect, 'lookup_directory', batch.lookups, {
      ignoreDuplicates: true,
      layout: lookupsLayout,
    });
    await this.writeRows(db, dialect, 'vehicles', batch.vehicles);
    await this.writeRows(db, dialect, 'drivers', batch.drivers);
    await this.writeRows(db, dialect, 'bookings', batch.bookings);
    await this.writeRows(db, dialect, 'booking_events', batch.events);
    await this.writeRows(db, dialect, 'driver_jobs', batch.driverTrips);
    await this.writeRows(db, dialect, 'offers', batch.offers);
    await this.rollups.addBookingDaily(db, dialect, sumBookingDeltas(batch.bookingDaily));
    await this.rollups.addDriverDaily(db, dialect, sumDriverDeltas(batch.driverDaily));
    await this.rollups.addUnfilled(db, dialect, batch.unfilled);
  }

  private async writeRows<Row extends object>(
    db: Executor,
    dialect: SqlDialectName,
    table: keyof Database,
    rows: readonly Row[],
    options: { ignoreDuplicates?: boolean; layout?: (first: Row) => RowLayout<Row> } = {},
  ): Promise<void> {
    const first = rows[0];
    if (first === undefined) {
      return;
    }
    const layout = options.layout?.(first) ?? layoutOf(first);
    const ignoreDuplicates = options.ignoreDuplicates === true;
    if (dialect === 'mysql' && this.loadData) {
      try {
        await this.loadRows(db, table, rows, layout, ignoreDuplicates);
        return;
      } catch (error) {
        if (!isLocalInfileRefused(error)) {
          throw error;
        }
        // A refused statement changed nothing; the transaction goes on with INSERT, as every later one will.
        if (!this.refusalReported) {
          this.refusalReported = true;
          this.options.onLoadDataRefused?.(error);
        }
        this.loadData = false;
      }
    }
    await this.insertRows(db, dialect, table, rows, layout, ignoreDuplicates);
  }

  /**
   * One LOAD DATA LOCAL INFILE statement; the text is rendered as the server
   * reads it. LOCAL turns duplicates and bad values into warnings, so a table
   * that must take every row checks the count and the warnings itself.
   */
  private async loadRows<Row extends object>(
    db: Executor,
    table: keyof Database,
    rows: readonly Row[],
    layout: RowLayout<Row>,
    ignoreDuplicates: boolean,
  ): Promise<void> {
    const file = localInfiles.register(() => Readable.from(tsvBlocks(rows, layout)));
    try {
      const result = await sql
        .raw(
          `load data local infile '${file.name}' ${ignoreDuplicates ? 'ignore ' : ''}into table ${table} ` +
            `character set utf8mb4 fields terminated by '\\t' escaped by '\\\\' lines terminated by '\\n' ` +
            `(${layout.columns.join(', ')})`,
        )
        .execute(db);
      if (ignoreDuplicates) {
        return;
      }
      const written = Number(result.numAffectedRows ?? 0n);
      const warnings = await sql<{ n: number | string }>`select @@warning_count as n`.execute(db);
      const warned = Number(warnings.rows[0]?.n ?? 0);
      if (written !== rows.length || warned > 0) {
        throw new Error(
          `LOAD DATA into ${table} wrote ${written} of ${rows.length} rows with ${warned} warnings`,
        );
      }
    } finally {
      file.release();
    }
  }

  private async insertRows<Row extends object>(
    db: Executor,
    dialect: SqlDialectName,
    table: keyof Database,
    rows: readonly Row[],
    layout: RowLayout<Row>,
    ignoreDuplicates: boolean,
  ): Promise<void> {
    const verb = ignoreDuplicates ? (dialect === 'mysql' ? 'insert ignore' : 'insert or ignore') : 'insert';
    const head = `${verb} into ${table} (${layout.columns.join(', ')}) values `;
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
    for (const row of rows) {
      const tuple = sqlTuple(row, layout, dialect);
      tuples.push(tuple);
      bytes += tuple.length + 1;
      if (bytes >= STATEMENT_BYTES || (dialect === 'sqlite' && tuples.length >= SQLITE_ROWS_PER_STATEMENT)) {
        await flush();
      }
    }
    await flush();
  }
}

/** LOAD DATA text in blocks of about LOAD_BLOCK_BYTES, each rendered when the stream is read. */
function* tsvBlocks<Row extends object>(rows: readonly Row[], layout: RowLayout<Row>): Generator<Buffer> {
  let block = Buffer.allocUnsafe(LOAD_BLOCK_BYTES);
  let used = 0;
  for (const row of rows) {
    const line = layout.line(row);
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 for 2 units).
    if (used + line.length * 3 > block.length) {
      if (used > 0) {
        yield block.subarray(0, used);
      }
      block = Buffer.allocUnsafe(Math.max(LOAD_BLOCK_BYTES, line.length * 3));
      used = 0;
    }
    used += block.write(line, used);
  }
  if (used > 0) {
    yield block.subarray(0, used);
  }
}
