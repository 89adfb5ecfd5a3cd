import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { FENCED_MESSAGE } from '../db-errors';
import { LOGICAL_SHARDS } from '../ids';
import type { ShardMap } from '../shard-map';
import type { Database } from '../schema';

/** Logical shards [from, to). */
export interface LogicalSpan {
  from: number;
  to: number;
}

const GUARD_PREFIX = 'll_guard_';
const CAPTURE_PREFIX = 'll_capture_';

/** The logical shards not in `allowed`, as spans. */
export function complement(allowed: readonly LogicalSpan[]): LogicalSpan[] {
  const sorted = [...allowed].filter((span) => span.to > span.from).sort((a, b) => a.from - b.from);
  const refused: LogicalSpan[] = [];
  let next = 0;
  for (const span of sorted) {
    if (span.from > next) {
      refused.push({ from: next, to: span.from });
    }
    next = Math.max(next, span.to);
  }
  if (next < LOGICAL_SHARDS) {
    refused.push({ from: next, to: LOGICAL_SHARDS });
  }
  return refused;
}

/**
 * What physical shard `shard` must refuse: every logical shard the map does not
 * give it, plus `giving` (a range being fenced away), minus `receiving` (a
 * range being copied in).
 */
export function refusedSpans(
  map: ShardMap,
  shard: number,
  change: { giving?: LogicalSpan; receiving?: LogicalSpan } = {},
): LogicalSpan[] {
  const allowed: LogicalSpan[] = [];
  for (const range of map.rangesOf(shard)) {
    const { giving } = change;
    if (giving === undefined || range.to <= giving.from || range.from >= giving.to) {
      allowed.push(range);
      continue;
    }
    allowed.push({ from: range.from, to: giving.from }, { from: giving.to, to: range.to });
  }
  if (change.receiving !== undefined) {
    allowed.push(change.receiving);
  }
  return complement(allowed);
}

function within(owner: string, spans: readonly LogicalSpan[]): string {
  return spans.map((span) => `(${owner} >= ${span.from} and ${owner} < ${span.to})`).join(' or ');
}

function checkIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`not a plain SQL identifier: ${name}`);
  }
  return name;
}

async function triggerNames(db: Kysely<Database>, prefix: string, table: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select trigger_name as name from information_schema.triggers
    where trigger_schema = database() and event_object_table = ${table} and trigger_name like ${`${prefix}${table}\\_%`}`.execute(
    db,
  );
  return rows.rows.map((row) => row.name);
}

async function dropTriggers(db: Kysely<Database>, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await sql.raw(`drop trigger if exists ${checkIdentifier(name)}`).execute(db);
  }
}

const EVENTS = [
  { suffix: 'i', event: 'insert', row: 'NEW.' },
  { suffix: 'u', event: 'update', row: 'NEW.' },
  { suffix: 'd', event: 'delete', row: 'OLD.' },
] as const;

/**
 * Makes `table` on this shard refuse writes of rows in `refused` (a `SIGNAL`
 * before the write), except from the mover's own connections. The triggers'
 * names carry a digest of what they refuse, so asking again for the guard in
 * place changes nothing (creating a trigger takes the table's metadata lock);
 * a new guard is created before the old one is dropped, so there is no moment
 * without one. Creating a trigger waits for that lock: when this returns, no
 * transaction that wrote the table before it is still open.
 */
export async function installGuard(
  db: Kysely<Database>,
  table: string,
  owner: (row: string) => string,
  refused: readonly LogicalSpan[],
): Promise<void> {
  checkIdentifier(table);
  const previous = await triggerNames(db, GUARD_PREFIX, table);
  const conditions = EVENTS.map(({ row }) => within(owner(row), refused));
  const tag = createHash('sha256').update(conditions.join('\n')).digest('hex').slice(0, 12);
  const wanted =
    refused.length === 0
      ? []
      : EVENTS.map(({ suffix, event }, index) => ({
          name: `${GUARD_PREFIX}${table}_b${suffix}_${tag}`,
          event,
          condition: conditions[index] ?? 'false',
        }));
  const wantedNames = wanted.map((guard) => guard.name);
  if (wantedNames.length === previous.length && wantedNames.every((name) => previous.includes(name))) {
    return;
  }
  // Those already there were left by an earlier call that stopped half-way.
  for (const guard of wanted.filter(({ name }) => !previous.includes(name))) {
    await sql
      .raw(
        `create trigger ${guard.name} before ${guard.event} on ${table} for each row
         begin
           if @loadline_mover is null and (${guard.condition}) then
             signal sqlstate '45000' set message_text = '${FENCED_MESSAGE}';
           end if;
         end`,
      )
      .execute(db);
  }
  await dropTriggers(
    db,
    previous.filter((name) => !wantedNames.includes(name)),
  );
}

/**
 * Logs the primary key of every row of `span` written to `table` (outside the
 * mover) into `shard_move_changes`, in the writer's transaction.
 */
export async function installCapture(
  db: Kysely<Database>,
  table: string,
  owner: (row: string) => string,
  primaryKey: readonly string[],
  moveId: string,
  span: LogicalSpan,
): Promise<void> {
  checkIdentifier(table);
  const existing = await triggerNames(db, CAPTURE_PREFIX, table);
  if (existing.length === EVENTS.length) {
    return;
  }
  await dropTriggers(db, existing);
  if (!/^\d+$/.test(moveId)) {
    throw new Error(`not a move id: ${moveId}`);
  }
  for (const { suffix, event, row } of EVENTS) {
    const key = primaryKey.map((column) => `cast(${row}${checkIdentifier(column)} as char)`).join(', ');
    await sql
      .raw(
        `create trigger ${CAPTURE_PREFIX}${table}_a${suffix} after ${event} on ${table} for each row
         begin
           if @loadline_mover is null and (${within(owner(row), [span])}) then
             insert into shard_move_changes (move_id, table_name, pk) values (${moveId}, '${table}', json_array(${key}));
           end if;
         end`,
      )
      .execute(db);
  }
}

export async function dropCapture(db: Kysely<Database>, table: string): Promise<void> {
  await dropTriggers(db, await triggerNames(db, CAPTURE_PREFIX, checkIdentifier(table)));
}

/** The primary key columns of `table`, in order. */
export async function primaryKeyOf(db: Kysely<Database>, table: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select column_name as name from information_schema.key_column_usage
    where table_schema = database() and table_name = ${table} and constraint_name = 'PRIMARY'
    order by ordinal_position`.execute(db);
  if (rows.rows.length === 0) {
    throw new Error(`table ${table} has no primary key: a move cannot copy it`);
  }
  return rows.rows.map((row) => row.name);
}
