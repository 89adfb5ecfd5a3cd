import type { Compilable, CompiledQuery } from 'kysely';
import type { Shard } from './shard-pool';

/** What a hinted read needs of a shard: its connection and the SQL it speaks. */
export type HintTarget = Pick<Shard, 'db' | 'dialect'>;

/**
 * Runs a select with `FORCE INDEX (index)` on every reference to `table`, on
 * MySQL/MariaDB (ADR 0039). For a newest-first page, `where k = ? and id < ?
 * order by id desc limit n`, MariaDB may choose an equality lookup on `k` that
 * cannot bound `id`, or intersect two indexes and sort, reading millions of
 * rows for twenty; the named index reads the page's one range. SQLite plans
 * these itself and runs the query unchanged.
 */
export async function selectWithIndex<R>(
  shard: HintTarget,
  query: Compilable<R>,
  table: string,
  index: string,
): Promise<R[]> {
  const compiled = query.compile();
  if (shard.dialect !== 'mysql') {
    return (await shard.db.executeQuery(compiled)).rows;
  }
  const from = `from \`${table}\``;
  const parts = compiled.sql.split(from);
  if (parts.length < 2) {
    throw new Error(`no "${from}" in the query to hint: ${compiled.sql}`);
  }
  const hinted: CompiledQuery<R> = { ...compiled, sql: parts.join(`${from} force index (\`${index}\`)`) };
  return (await shard.db.executeQuery(hinted)).rows;
}
