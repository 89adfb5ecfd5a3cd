import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../../lib/clock';
import type { EventBus } from '../../bus/event-bus.port';
import { catalogShard, loadShardMap } from '../migrate';
import { withLongQueries } from '../query-timeout';
import { ShardMap } from '../shard-map';
import type { Shard, ShardPool } from '../shard-pool';
import type { Database, ShardMovePhase, ShardMovesTable } from '../schema';
import { ACK_FRESH_MS, SHARD_MAP_CHANNEL } from './shard-map-follower';
import { movableTables } from './shard-placement';
import {
  dropCapture,
  installCapture,
  installGuard,
  primaryKeyOf,
  refusedSpans,
  type LogicalSpan,
} from './shard-triggers';

const COPY_BATCH = 500;
const CHANGE_BATCH = 1_000;
/** A catch-up pass that applies fewer changes than this is close enough to fence. */
const CATCH_UP_TAIL = 100;
const OPEN_PHASES: readonly ShardMovePhase[] = ['copying', 'catching_up', 'fenced', 'flipped', 'cleaning'];

export type ShardMove = ShardMovesTable;

/** What a move reports as it goes, for a progress bar. */
export interface MoveProgress {
  move: ShardMove;
  phase: ShardMovePhase;
  table?: string;
  copiedRows: number;
  appliedChanges: number;
}

export interface ShardMoverDeps {
  /**
   * A pool of the mover's own: its connections set `@loadline_mover`, which
   * the shards' triggers let through, so they must never serve requests.
   */
  pool: ShardPool;
  clock: Clock;
  /** Tells running processes about a new map at once; they also poll. */
  bus?: EventBus;
  onProgress?: (progress: MoveProgress) => void;
  /** How long the flip waits for every live process to load the new map. */
  ackTimeoutMs?: number;
  /** Metadata-lock wait of each trigger change, in seconds. */
  lockWaitSeconds?: number;
}

type Row = Record<string, unknown>;
type Cursors = Record<string, unknown[] | 'done'>;

interface MoveTable {
  table: string;
  owner: (row: string) => string;
  primaryKey: string[];
}

/** Thrown for a move that cannot start or continue; the CLI prints its message. */
export class ShardMoveError extends Error {}

/**
 * Moves ranges of logical shards between physical shards while the platform
 * serves (ADR 0024): copy, catch up from the change log, fence, flip the map,
 * wait for every process, clean up. Each step is stored on shard 0, so a
 * mover that dies is resumed by running it again.
 */
export class ShardMover {
  private readonly catalog: Kysely<Database>;

  constructor(private readonly deps: ShardMoverDeps) {
    const { pool } = deps;
    if (pool.shards.some((shard) => shard.dialect !== 'mysql')) {
      throw new ShardMoveError(
        'Moving logical shards needs cluster mode (MySQL/MariaDB shards): in embedded mode every shard is a file on one disk, in one process.',
      );
    }
    this.catalog = catalogShard(pool).db;
  }

  /** The move that has started and not finished, if any. */
  async openMove(): Promise<ShardMove | undefined> {
    return this.catalog
      .selectFrom('shard_moves')
      .selectAll()
      .where('phase', 'in', OPEN_PHASES)
      .orderBy('id')
      .executeTakeFirst();
  }

  /**
   * Starts moving logical shards [from, to) to physical shard `target`. The
   * range must sit on one physical shard; a range over several is several moves.
   */
  async begin(span: LogicalSpan, target: number): Promise<ShardMove> {
    return withLongQueries(async () => {
      const map = await loadShardMap(this.deps.pool);
      if (!Number.isInteger(target) || target < 0 || target >= this.deps.pool.shards.length) {
        throw new ShardMoveError(
          `There is no physical shard ${target}: DATABASE_SHARDS lists ${this.deps.pool.shards.length}.`,
        );
      }
      const source = map.physicalFor(span.from);
      for (let logical = span.from; logical < span.to; logical += 1) {
        if (map.physicalFor(logical) !== source) {
          throw new ShardMoveError(
            `Logical shards ${span.from}-${span.to} span several physical shards; move each part on its own.`,
          );
        }
      }
      if (source === target) {
        throw new ShardMoveError(
          `Logical shards ${span.from}-${span.to} are already on physical shard ${target}.`,
        );
      }
      const open = await this.openMove();
      if (open !== undefined) {
        throw new ShardMoveError(
          `Move ${open.id} (${open.from_logical}-${open.to_logical} to shard ${open.target_shard}) is still ${open.phase}: resume or abort it first.`,
        );
      }
      await this.refuseDuringGeneration();
      const now = this.deps.clock.now();
      const last = await this.catalog
        .selectFrom('shard_moves')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const move: ShardMove = {
        id: String(BigInt(last?.id ?? 0) + 1n),
        from_logical: span.from,
        to_logical: span.to,
        source_shard: source,
        target_shard: target,
        phase: 'copying',
        cursors: '{}',
        copied_rows: 0,
        applied_changes: 0,
        map_version: null,
        error: null,
        started_at: now,
        updated_at: now,
        finished_at: null,
      };
      await this.catalog.insertInto('shard_moves').values(move).execute();
      return move;
    });
  }

  /** Runs `move` from its stored phase to the end. */
  async run(move: ShardMove): Promise<ShardMove> {
    return withLongQueries(() => this.runPhases(move));
  }

  /**
   * Undoes a move that has not flipped: lifts the fence, drops the change
   * capture and deletes the target's partial copy. A flipped move can only
   * be finished.
   */
  async abort(move: ShardMove): Promise<ShardMove> {
    if (move.phase === 'flipped' || move.phase === 'cleaning') {
      throw new ShardMoveError(`Move ${move.id} has flipped the map already: run it to the end instead.`);
    }
    return withLongQueries(async () => {
      const tables = await this.tables();
      const map = await loadShardMap(this.deps.pool);
      const span = spanOf(move);
      await this.asMover(this.shard(move.source_shard), async (db) => {
        for (const { table, owner } of tables) {
          await dropCapture(db, table);
          await installGuard(db, table, owner, refusedSpans(map, move.source_shard));
        }
        await db.deleteFrom('shard_move_changes').where('move_id', '=', move.id).execute();
      });
      await this.asMover(this.shard(move.target_shard), async (db) => {
        for (const { table, owner, primaryKey } of tables) {
          await this.deleteRange(db, { table, owner, primaryKey }, span);
          await installGuard(db, table, owner, refusedSpans(map, move.target_shard));
        }
      });
      return this.save(move, { phase: 'aborted', finished_at: this.deps.clock.now() });
    });
  }

  private async runPhases(start: ShardMove): Promise<ShardMove> {
    let move = start;
    const tables = await this.tables();
    const source = this.shard(move.source_shard);
    const target = this.shard(move.target_shard);
    const span = spanOf(move);
    try {
      if (move.phase === 'copying') {
        const map = await loadShardMap(this.deps.pool);
        await this.asMover(target, async (db) => {
          for (const { table, owner } of tables) {
            await installGuard(db, table, owner, refusedSpans(map, move.target_shard, { receiving: span }));
          }
        });
        await this.asMover(source, async (db) => {
          for (const { table, owner, primaryKey } of tables) {
            await installCapture(db, table, owner, primaryKey, move.id, span);
          }
        });
        move = await this.copy(move, tables, source, target);
        move = await this.save(move, { phase: 'catching_up' });
      }
      if (move.phase === 'catching_up') {
        let applied: number;
        do {
          applied = await this.applyChanges(move, tables, source, target);
          move = await this.save(move, { applied_changes: move.applied_changes + applied });
          this.report(move, 'catching_up');
        } while (applied >= CATCH_UP_TAIL);
        const map = await loadShardMap(this.deps.pool);
        await this.asMover(source, async (db) => {
          for (const { table, owner } of tables) {
            await installGuard(db, table, owner, refusedSpans(map, move.source_shard, { giving: span }));
          }
        });
        move = await this.save(move, { phase: 'fenced' });
      }
      if (move.phase === 'fenced') {
        let applied: number;
        do {
          applied = await this.applyChanges(move, tables, source, target);
          move = await this.save(move, { applied_changes: move.applied_changes + applied });
        } while (applied > 0);
        const version = await this.flip(move);
        move = await this.save(move, { phase: 'flipped', map_version: version });
        this.report(move, 'flipped');
      }
      if (move.phase === 'flipped') {
        await this.announce(move.map_version ?? 0);
        await this.waitForAcks(move.map_version ?? 0);
        move = await this.save(move, { phase: 'cleaning' });
      }
      if (move.phase === 'cleaning') {
        const map = await loadShardMap(this.deps.pool);
        await this.asMover(source, async (db) => {
          for (const entry of tables) {
            await dropCapture(db, entry.table);
            // The source keeps refusing the range for as long as it does not own it.
            await installGuard(db, entry.table, entry.owner, refusedSpans(map, move.source_shard));
            await this.deleteRange(db, entry, span);
            this.report(move, 'cleaning', entry.table);
          }
          await db.deleteFrom('shard_move_changes').where('move_id', '=', move.id).execute();
        });
        await this.asMover(target, async (db) => {
          for (const { table, owner } of tables) {
            await installGuard(db, table, owner, refusedSpans(map, move.target_shard));
          }
        });
        move = await this.save(move, { phase: 'done', finished_at: this.deps.clock.now(), error: null });
        this.report(move, 'done');
      }
      return move;
    } catch (error) {
      await this.save(move, {
        error: error instanceof Error ? error.message.slice(0, 1_000) : String(error),
      }).catch(() => undefined);
      throw error;
    }
  }

  /** Copies every row of the range, table by table, from the saved cursors on. */
  private async copy(
    move: ShardMove,
    tables: readonly MoveTable[],
    source: Shard,
    target: Shard,
  ): Promise<ShardMove> {
    let current = move;
    const cursors = parseCursors(move.cursors);
    const span = spanOf(move);
    await this.asMover(source, (src) =>
      this.asMover(target, async (dst) => {
        for (const entry of tables) {
          for (;;) {
            const cursor = cursors[entry.table];
            if (cursor === 'done') {
              break;
            }
            const rows = await scanRange(src, entry, span, cursor, COPY_BATCH);
            if (rows.length === 0) {
              cursors[entry.table] = 'done';
            } else {
              await upsert(dst, entry, rows);
              cursors[entry.table] = keyOf(entry, rows[rows.length - 1] ?? {});
            }
            current = await this.save(current, {
              cursors: JSON.stringify(cursors),
              copied_rows: current.copied_rows + rows.length,
            });
            this.report(current, 'copying', entry.table);
          }
        }
      }),
    );
    return current;
  }

  /** Applies one batch of the change log: the source's row as it is now, or its absence. */
  private async applyChanges(
    move: ShardMove,
    tables: readonly MoveTable[],
    source: Shard,
    target: Shard,
  ): Promise<number> {
    const byName = new Map(tables.map((entry) => [entry.table, entry]));
    return this.asMover(source, (src) =>
      this.asMover(target, async (dst) => {
        const changes = await src
          .selectFrom('shard_move_changes')
          .select(['id', 'table_name', 'pk'])
          .where('move_id', '=', move.id)
          .orderBy('id')
          .limit(CHANGE_BATCH)
          .execute();
        if (changes.length === 0) {
          return 0;
        }
        const keys = new Map<string, Map<string, unknown[]>>();
        for (const change of changes) {
          const perTable = keys.get(change.table_name) ?? new Map<string, unknown[]>();
          perTable.set(change.pk, parseKey(change.pk));
          keys.set(change.table_name, perTable);
        }
        for (const [table, perTable] of keys) {
          const entry = byName.get(table);
          if (entry === undefined) {
            throw new Error(`the change log names a table with no placement: ${table}`);
          }
          const wanted = [...perTable.values()];
          const rows = await selectByKeys(src, entry, wanted);
          const present = new Set(rows.map((row) => JSON.stringify(keyOf(entry, row).map(String))));
          if (rows.length > 0) {
            await upsert(dst, entry, rows);
          }
          const gone = wanted.filter((key) => !present.has(JSON.stringify(key.map(String))));
          if (gone.length > 0) {
            await deleteByKeys(dst, entry, gone);
          }
        }
        // By id, never `id <= last`: a writer's log row gets its id when written, not when committed,
        // so a lower id may still be uncommitted now and must stay for the next pass.
        await src
          .deleteFrom('shard_move_changes')
          .where(
            'id',
            'in',
            changes.map((change) => change.id),
          )
          .execute();
        return changes.length;
      }),
    );
  }

  /** Writes the new ranges and version in one transaction on shard 0; returns the version. */
  private async flip(move: ShardMove): Promise<number> {
    const physicalCount = this.deps.pool.shards.length;
    return this.catalog.transaction().execute(async (trx) => {
      const state = await trx
        .selectFrom('shard_map_state')
        .select('version')
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const ranges = await trx.selectFrom('shard_ranges').selectAll().execute();
      const current = new ShardMap(
        ranges.map((range) => ({ from: range.from_logical, to: range.to_logical, shard: range.shard_index })),
        physicalCount,
        state.version,
      );
      const next = current.withMove(move.from_logical, move.to_logical, move.target_shard);
      await writeRanges(trx, next, this.deps.clock.now());
      return next.version;
    });
  }

  private async announce(version: number): Promise<void> {
    try {
      await this.deps.bus?.publish(SHARD_MAP_CHANNEL, { version });
    } catch {
      // Processes poll the version every second as well.
    }
  }

  /**
   * Waits until every process whose heartbeat is fresh has loaded `version`,
   * or the timeout runs out (a process that stopped answering cannot write to
   * the moved range anyway: the source's guard refuses it).
   */
  private async waitForAcks(version: number): Promise<void> {
    const deadline = performance.now() + (this.deps.ackTimeoutMs ?? 60_000);
    for (;;) {
      const now = this.deps.clock.now();
      const behind = await this.catalog
        .selectFrom('shard_map_acks')
        .select('instance_id')
        .where('seen_at', '>', now - ACK_FRESH_MS)
        .where('version', '<', version)
        .execute();
      if (behind.length === 0 || performance.now() >= deadline) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async refuseDuringGeneration(): Promise<void> {
    for (const shard of this.deps.pool.shards) {
      const running = await shard.db
        .selectFrom('generation_jobs')
        .select('id')
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (running !== undefined) {
        throw new ShardMoveError(
          `Generation job ${running.id} is running: wait for it to finish (its progress marks are per physical shard).`,
        );
      }
    }
  }

  private async tables(): Promise<MoveTable[]> {
    const db = this.shard(0).db;
    return Promise.all(
      movableTables().map(async ({ table, owner }) => ({
        table,
        owner,
        primaryKey: await primaryKeyOf(db, table),
      })),
    );
  }

  /** Deletes the range's rows of one table on `db`, in primary-key batches. */
  private async deleteRange(db: Kysely<Database>, entry: MoveTable, span: LogicalSpan): Promise<void> {
    let cursor: unknown[] | undefined;
    for (;;) {
      const rows = await scanRange(db, entry, span, cursor, COPY_BATCH, entry.primaryKey);
      if (rows.length === 0) {
        return;
      }
      await deleteByKeys(
        db,
        entry,
        rows.map((row) => keyOf(entry, row)),
      );
      cursor = keyOf(entry, rows[rows.length - 1] ?? {});
    }
  }

  /**
   * Runs `work` on one connection of `shard` marked as the mover's, which the
   * guard and capture triggers let through, with a short metadata-lock wait.
   */
  private async asMover<T>(shard: Shard, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return shard.db.connection().execute(async (db) => {
      await sql`set @loadline_mover = 1`.execute(db);
      await sql.raw(`set session lock_wait_timeout = ${this.deps.lockWaitSeconds ?? 10}`).execute(db);
      try {
        return await work(db);
      } finally {
        await sql`set @loadline_mover = null`.execute(db);
      }
    });
  }

  private shard(index: number): Shard {
    const shard = this.deps.pool.shards[index];
    if (shard === undefined) {
      throw new ShardMoveError(`There is no physical shard ${index}.`);
    }
    return shard;
  }

  private async save(move: ShardMove, change: Partial<ShardMove>): Promise<ShardMove> {
    const next = { ...move, ...change, updated_at: this.deps.clock.now() };
    const { id, ...rest } = next;
    await this.catalog.updateTable('shard_moves').set(rest).where('id', '=', id).execute();
    return next;
  }

  private report(move: ShardMove, phase: ShardMovePhase, table?: string): void {
    this.deps.onProgress?.({
      move,
      phase,
      ...(table === undefined ? {} : { table }),
      copiedRows: move.copied_rows,
      appliedChanges: move.applied_changes,
    });
  }
}

/** Replaces the shard map on shard 0 with `map` (ranges and version), in `trx`. */
export async function writeRanges(trx: Transaction<Database>, map: ShardMap, now: number): Promise<void> {
  await trx.deleteFrom('shard_ranges').execute();
  await trx
    .insertInto('shard_ranges')
    .values(
      map.ranges.map((range) => ({
        from_logical: range.from,
        to_logical: range.to,
        shard_index: range.shard,
      })),
    )
    .execute();
  await trx
    .updateTable('shard_map_state')
    .set({ version: map.version, updated_at: now })
    .where('id', '=', 1)
    .execute();
}

function spanOf(move: ShardMove): LogicalSpan {
  return { from: move.from_logical, to: move.to_logical };
}

function parseCursors(text: string): Cursors {
  const value: unknown = JSON.parse(text);
  const cursors: Cursors = {};
  if (typeof value === 'object' && value !== null) {
    for (const [table, cursor] of Object.entries(value) as [string, unknown][]) {
      if (cursor === 'done') {
        cursors[table] = 'done';
      } else if (Array.isArray(cursor)) {
        cursors[table] = cursor.map((part: unknown) => part);
      }
    }
  }
  return cursors;
}

function parseKey(text: string): unknown[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) {
    throw new Error(`a change log key is not a JSON array: ${text}`);
  }
  return value;
}

function keyOf(entry: MoveTable, row: Row): unknown[] {
  return entry.primaryKey.map((column) => row[column]);
}

const columnsOf = (row: Row): string[] => Object.keys(row);

function tuple(values: readonly unknown[]) {
  return sql`(${sql.join(values.map((value) => sql`${value}`))})`;
}

function keyColumns(entry: MoveTable) {
  return sql`(${sql.join(entry.primaryKey.map((column) => sql.ref(column)))})`;
}

/** The next rows of the range after `cursor`, in primary-key order. */
async function scanRange(
  db: Kysely<Database>,
  entry: MoveTable,
  span: LogicalSpan,
  cursor: unknown[] | undefined,
  limit: number,
  columns?: readonly string[],
): Promise<Row[]> {
  const owner = sql.raw(entry.owner(''));
  const select = columns === undefined ? sql`*` : sql.join(columns.map((column) => sql.ref(column)));
  const after = cursor === undefined ? sql`` : sql`and ${keyColumns(entry)} > ${tuple(cursor)}`;
  const order = sql.join(entry.primaryKey.map((column) => sql.ref(column)));
  const result = await sql<Row>`
    select ${select} from ${sql.table(entry.table)}
    where ${owner} >= ${span.from} and ${owner} < ${span.to} ${after}
    order by ${order} limit ${limit}`.execute(db);
  return result.rows;
}

async function selectByKeys(
  db: Kysely<Database>,
  entry: MoveTable,
  keys: readonly unknown[][],
): Promise<Row[]> {
  const result = await sql<Row>`
    select * from ${sql.table(entry.table)}
    where ${keyColumns(entry)} in (${sql.join(keys.map((key) => tuple(key)))})`.execute(db);
  return result.rows;
}

async function deleteByKeys(
  db: Kysely<Database>,
  entry: MoveTable,
  keys: readonly unknown[][],
): Promise<void> {
  await sql`
    delete from ${sql.table(entry.table)}
    where ${keyColumns(entry)} in (${sql.join(keys.map((key) => tuple(key)))})`.execute(db);
}

/** Inserts `rows`, or overwrites the rows already there with the same key. */
async function upsert(db: Kysely<Database>, entry: MoveTable, rows: readonly Row[]): Promise<void> {
  const columns = columnsOf(rows[0] ?? {});
  const updates = columns
    .filter((column) => !entry.primaryKey.includes(column))
    .map((column) => sql`${sql.ref(column)} = values(${sql.ref(column)})`);
  const onDuplicate =
    updates.length > 0
      ? sql`on duplicate key update ${sql.join(updates)}`
      : sql`on duplicate key update ${sql.ref(entry.primaryKey[0] ?? 'id')} = ${sql.ref(entry.primaryKey[0] ?? 'id')}`;
  await sql`
    insert into ${sql.table(entry.table)} (${sql.join(columns.map((column) => sql.ref(column)))})
    values ${sql.join(rows.map((row) => tuple(columns.map((column) => row[column]))))}
    ${onDuplicate}`.execute(db);
}
