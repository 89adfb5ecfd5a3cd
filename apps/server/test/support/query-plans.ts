import { vi } from 'vitest';
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Shard } from '../../src/platform/db/shard-pool';
import { TestEnvironment } from './test-env';

/**
 * Starts an app on fresh storage and fills `table` on its first shard with
 * `rows` rows, `values` computed from a number `i` from 0 to rows - 1 (made as
 * thousands times a thousand: the server caps a recursion's steps), then
 * refreshes the table's statistics, as a table grown in production would have.
 */
export async function filledShard(
  label: string,
  fill: { table: string; rows: number; columns: RawBuilder<unknown>; values: RawBuilder<unknown> },
): Promise<{ env: TestEnvironment; shard: Shard }> {
  const env = await TestEnvironment.create(label);
  const app = await env.start();
  const shard = app.platform.router.shards[0];
  if (shard === undefined) {
    throw new Error('no shard');
  }
  await sql`
    insert into ${sql.table(fill.table)} (${fill.columns})
    with recursive n (i) as (select 0 union all select i + 1 from n where i < 999),
      m (i) as (select thousands.i * 1000 + units.i from n thousands join n units where thousands.i * 1000 + units.i < ${fill.rows})
    select ${fill.values} from m`.execute(shard.db);
  await sql`analyze table ${sql.table(fill.table)}`.execute(shard.db);
  return { env, shard };
}

/** Rows examined in `table` by ANALYZE's run of a plan (MariaDB's JSON), over every access to it. */
function rowsExamined(node: unknown, table: string): number {
  if (Array.isArray(node)) {
    return node.reduce((sum: number, item: unknown) => sum + rowsExamined(item, table), 0);
  }
  if (typeof node !== 'object' || node === null) {
    return 0;
  }
  const fields = node as Record<string, unknown>;
  const own =
    fields.table_name === table && typeof fields.r_rows === 'number' && typeof fields.r_loops === 'number'
      ? fields.r_rows * fields.r_loops
      : 0;
  return Object.values(fields).reduce((sum: number, value) => sum + rowsExamined(value, table), own);
}

/**
 * Runs `read`, which must send exactly one statement through `shard.db`, then
 * that statement again under MariaDB's `ANALYZE FORMAT=JSON`: what it answered
 * and how many rows of `table` its plan examined.
 */
export async function measuredRead<R>(
  shard: Shard,
  table: string,
  read: () => Promise<R>,
): Promise<{ result: R; examined: number }> {
  const sent: CompiledQuery[] = [];
  const execute = shard.db.executeQuery.bind(shard.db);
  const spy = vi.spyOn(shard.db, 'executeQuery').mockImplementation((query) => {
    if ('sql' in query) {
      sent.push(query);
    }
    return execute(query);
  });
  let result: R;
  try {
    result = await read();
  } finally {
    spy.mockRestore();
  }
  const [statement, ...more] = sent;
  if (statement === undefined || more.length > 0) {
    throw new Error(`expected one statement, got ${sent.length}`);
  }
  const analyzed = await shard.db.executeQuery<{ ANALYZE: string }>({
    ...statement,
    sql: `analyze format=json ${statement.sql}`,
  });
  const plan: unknown = JSON.parse(analyzed.rows[0]?.ANALYZE ?? 'null');
  return { result, examined: rowsExamined(plan, table) };
}

/**
 * The IDs a newest-first page must hold when row `i` has ID `firstId + i`:
 * those `wanted` picks below `beforeI`, highest first, at most `limit`.
 * BigInt, because a 64-bit ID comes back as a number when it fits.
 */
export function newestIdsBefore(
  firstId: number,
  beforeI: number,
  limit: number,
  wanted: (i: number) => boolean,
): bigint[] {
  const ids: bigint[] = [];
  for (let i = beforeI - 1; i >= 0 && ids.length < limit; i -= 1) {
    if (wanted(i)) {
      ids.push(BigInt(firstId + i));
    }
  }
  return ids;
}
