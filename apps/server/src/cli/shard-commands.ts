import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Config } from '../config/config';
import { systemClock, type Clock } from '../lib/clock';
import { createLogger } from '../lib/logger';
import type { EventBus } from '../platform/bus/event-bus.port';
import { RedisEventBus } from '../platform/bus/redis-event-bus';
import { LOGICAL_SHARDS } from '../platform/db/ids';
import { loadShardMap, migrateShards } from '../platform/db/migrate';
import { planRebalance } from '../platform/db/resharding/rebalance-plan';
import {
  ShardMover,
  ShardMoveError,
  type MoveProgress,
  type ShardMove,
} from '../platform/db/resharding/shard-mover';
import { movableTables } from '../platform/db/resharding/shard-placement';
import type { ShardPool } from '../platform/db/shard-pool';
import { createShardPool } from '../platform/platform';

/** Where a command prints: the terminal, or anything with `write` in a test. */
export interface CommandOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ShardCommandDeps {
  /** The command's own pool: the mover marks its connections (see ShardMover). */
  pool: ShardPool;
  bus?: EventBus;
  clock?: Clock;
  out: CommandOutput;
  ackTimeoutMs?: number;
}

const USAGE = `loadline shards <command>
  list                                  physical shards, their logical ranges and rows per table
  move --range FROM-TO --to N           move logical shards [FROM, TO) to physical shard N while serving
  rebalance [--dry-run]                 spread logical shards evenly over every physical shard
  resume                                finish the move a stopped mover left open
  abort                                 undo the open move (only before its map flip)
`;

/**
 * `loadline shards ...` (ADR 0024). Every command first brings each shard to
 * the latest schema, so a shard just appended to DATABASE_SHARDS can receive.
 */
export async function shardsCommand(config: Config, argv: string[]): Promise<void> {
  const pool = createShardPool(config);
  const bus =
    config.mode === 'cluster' && config.redisUrl !== null
      ? new RedisEventBus(config.redisUrl, config.redisPrefix, { logger: createLogger('warn') })
      : undefined;
  try {
    await runShardCommand({ pool, ...(bus === undefined ? {} : { bus }), out: process.stdout }, argv);
  } finally {
    await bus?.close();
    await pool.close();
  }
}

export async function runShardCommand(deps: ShardCommandDeps, argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { range: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    allowPositionals: false,
  });
  await migrateShards(deps.pool);
  switch (command) {
    case 'list':
      await list(deps);
      return;
    case 'move': {
      const span = parseRange(values.range);
      const target = parseTarget(values.to);
      const mover = moverFor(deps);
      await finishOpenMove(mover, deps);
      await runMove(mover, await mover.begin(span, target), deps);
      return;
    }
    case 'rebalance':
      await rebalance(deps, values['dry-run'] === true);
      return;
    case 'resume': {
      const mover = moverFor(deps);
      if (!(await finishOpenMove(mover, deps))) {
        deps.out.write('no move is open\n');
      }
      return;
    }
    case 'abort': {
      const mover = moverFor(deps);
      const open = await mover.openMove();
      if (open === undefined) {
        deps.out.write('no move is open\n');
        return;
      }
      await mover.abort(open);
      deps.out.write(
        `aborted move ${open.id}: logical shards ${open.from_logical}-${open.to_logical} stay on shard ${open.source_shard}\n`,
      );
      return;
    }
    default:
      throw new ShardMoveError(
        `${command === undefined ? 'a command is needed' : `unknown command "${command}"`}\n${USAGE}`,
      );
  }
}

function moverFor(deps: ShardCommandDeps): ShardMover {
  const bar = new MoveBar(deps.out);
  return new ShardMover({
    pool: deps.pool,
    clock: deps.clock ?? systemClock,
    ...(deps.bus === undefined ? {} : { bus: deps.bus }),
    ...(deps.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: deps.ackTimeoutMs }),
    onProgress: (progress) => bar.draw(progress),
  });
}

/** Resumes the move a stopped mover left open; false when there is none. */
async function finishOpenMove(mover: ShardMover, deps: ShardCommandDeps): Promise<boolean> {
  const open = await mover.openMove();
  if (open === undefined) {
    return false;
  }
  deps.out.write(`resuming move ${open.id} (${open.phase})\n`);
  await runMove(mover, open, deps);
  return true;
}

async function runMove(mover: ShardMover, move: ShardMove, deps: ShardCommandDeps): Promise<void> {
  const started = performance.now();
  deps.out.write(
    `moving logical shards ${move.from_logical}-${move.to_logical} from shard ${move.source_shard} to shard ${move.target_shard}\n`,
  );
  const done = await mover.run(move);
  deps.out.write(
    `${deps.out.isTTY === true ? '\n' : ''}moved ${move.from_logical}-${move.to_logical} to shard ${done.target_shard}: ` +
      `${done.copied_rows.toLocaleString('en-US')} rows copied, ${done.applied_changes.toLocaleString('en-US')} changes caught up, ` +
      `map version ${done.map_version ?? '?'}, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

async function rebalance(deps: ShardCommandDeps, dryRun: boolean): Promise<void> {
  const mover = dryRun ? undefined : moverFor(deps);
  if (mover !== undefined) {
    await finishOpenMove(mover, deps);
  }
  const plan = planRebalance(await loadShardMap(deps.pool));
  if (plan.length === 0) {
    deps.out.write('the logical shards are already spread evenly\n');
    return;
  }
  deps.out.write(`plan: ${plan.length} move${plan.length === 1 ? '' : 's'}\n`);
  for (const step of plan) {
    deps.out.write(
      `  ${step.from}-${step.to} (${step.to - step.from} logical shards): shard ${step.source} -> shard ${step.target}\n`,
    );
  }
  if (mover === undefined) {
    return;
  }
  for (const [index, step] of plan.entries()) {
    deps.out.write(`move ${index + 1} of ${plan.length}\n`);
    await runMove(mover, await mover.begin({ from: step.from, to: step.to }, step.target), deps);
  }
}

async function list(deps: ShardCommandDeps): Promise<void> {
  const map = await loadShardMap(deps.pool);
  deps.out.write(`shard map version ${map.version}, ${LOGICAL_SHARDS} logical shards\n`);
  const tables = movableTables().map((entry) => entry.table);
  const counts = map.counts();
  for (const shard of deps.pool.shards) {
    const ranges = map.rangesOf(shard.index).map((range) => `${range.from}-${range.to}`);
    deps.out.write(
      `${shard.label}: ${counts[shard.index] ?? 0} logical shards${ranges.length > 0 ? ` (${ranges.join(', ')})` : ''}\n`,
    );
    const rows: string[] = [];
    for (const table of tables) {
      const result = await sql<{
        count: number | string;
      }>`select count(*) as count from ${sql.table(table)}`.execute(shard.db);
      rows.push(`${table} ${Number(result.rows[0]?.count ?? 0).toLocaleString('en-US')}`);
    }
    deps.out.write(`  rows: ${rows.join(', ')}\n`);
  }
  if (deps.pool.shards.every((shard) => shard.dialect === 'mysql')) {
    const open = await new ShardMover({ pool: deps.pool, clock: systemClock }).openMove();
    if (open !== undefined) {
      deps.out.write(
        `open move ${open.id}: ${open.from_logical}-${open.to_logical} shard ${open.source_shard} -> ${open.target_shard}, ` +
          `${open.phase}, ${open.copied_rows} rows copied${open.error === null ? '' : `, last error: ${open.error}`}\n`,
      );
    }
  }
}

function parseRange(value: string | undefined): { from: number; to: number } {
  const match = /^(\d+)-(\d+)$/.exec(value ?? '');
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (match === null || from >= to || to > LOGICAL_SHARDS) {
    throw new ShardMoveError(
      `--range must be FROM-TO with 0 <= FROM < TO <= ${LOGICAL_SHARDS} (logical shards [FROM, TO))`,
    );
  }
  return { from, to };
}

function parseTarget(value: string | undefined): number {
  const target = Number(value);
  if (value === undefined || !Number.isInteger(target) || target < 0) {
    throw new ShardMoveError(
      '--to must name a physical shard by its position in DATABASE_SHARDS (0, 1, ...)',
    );
  }
  return target;
}

/** One line per phase and table: redrawn in place on a terminal, every few seconds in a log. */
class MoveBar {
  private last = 0;
  private readonly tables = movableTables().map((entry) => entry.table);

  constructor(private readonly out: CommandOutput) {}

  draw(progress: MoveProgress): void {
    const { tables } = this;
    const index = progress.table === undefined ? tables.length : tables.indexOf(progress.table);
    const fraction = progress.phase === 'copying' ? Math.max(0, index) / tables.length : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.phase.padEnd(11)} ` +
      `${progress.copiedRows.toLocaleString('en-US')} rows copied, ${progress.appliedChanges.toLocaleString('en-US')} changes` +
      (progress.table === undefined ? '' : ` (${progress.table})`);
    if (this.out.isTTY === true) {
      this.out.write(`\r${line.padEnd(100)}`);
    } else if (performance.now() - this.last >= 2_000 || progress.phase !== 'copying') {
      this.last = performance.now();
      this.out.write(`${line}\n`);
    }
  }
}
