import { errors } from '../../lib/errors';
import { isId } from './ids';
import type { Shard } from './shard-pool';

export type SortKey = readonly (string | number)[];

export interface ScatterPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ScatterOptions<T> {
  shards: readonly Shard[];
  limit: number;
  /** Opaque cursor from a previous page, or null for the first page. */
  cursor: string | null;
  /**
   * Rows of one shard strictly after `after` in the list order (or from the start
   * when null), at most `limit`, already in list order.
   */
  fetch: (shard: Shard, after: SortKey | null, limit: number) => Promise<T[]>;
  /** The row's position in the list; must be unique (end it with the row's ID). */
  keyOf: (row: T) => SortKey;
  /** How many parts `keyOf` returns; a cursor of another length is rejected. */
  keyArity: number;
  /** Negative when `a` comes before `b` in the list. */
  compare: (a: SortKey, b: SortKey) => number;
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Cursor parts are IDs (decimal strings, bound as BIGINT) and whole numbers
 * (times in milliseconds): anything else, or an ID past 2^63-1, never reaches SQL.
 */
function isCursorPart(part: unknown): part is string | number {
  if (typeof part === 'number') {
    return Number.isSafeInteger(part);
  }
  return typeof part === 'string' && (!/^[0-9]+$/.test(part) || isId(part));
}

/** Decodes a cursor made by `encodeCursor`; a tampered or foreign cursor is a 400. */
export function decodeCursor(cursor: string, arity: number): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw errors.validation('cursor is not valid', { field: 'cursor' });
  }
  if (!Array.isArray(parsed) || parsed.length !== arity || !parsed.every(isCursorPart)) {
    throw errors.validation('cursor is not valid', { field: 'cursor' });
  }
  return parsed;
}

/** The ID in a one-part cursor of a list paged by ID (`encodeCursor([id])`); anything else is a 400. */
export function decodeIdCursor(cursor: string): string {
  const [id] = decodeCursor(cursor, 1);
  if (typeof id !== 'string' || !isId(id)) {
    throw errors.validation('cursor is not valid', { field: 'cursor' });
  }
  return id;
}

/**
 * One page of a list that spans every shard: asks each shard in parallel for
 * its first `limit` rows after the cursor, merges them in list order and keeps
 * the first `limit`. Keyset, never OFFSET, so a deep page costs what the first does.
 */
export async function scatterGather<T>(options: ScatterOptions<T>): Promise<ScatterPage<T>> {
  const { shards, limit, compare, keyOf } = options;
  const after = options.cursor === null ? null : decodeCursor(options.cursor, options.keyArity);
  const perShard = await Promise.all(shards.map((shard) => options.fetch(shard, after, limit + 1)));
  const merged = perShard.flat().sort((a, b) => compare(keyOf(a), keyOf(b)));
  const items = merged.slice(0, limit);
  const last = items[items.length - 1];
  const hasMore = merged.length > limit;
  return { items, nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** Compares decimal ID strings numerically (they may differ in length). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) {
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
