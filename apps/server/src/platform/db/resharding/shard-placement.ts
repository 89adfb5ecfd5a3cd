import { LOGICAL_SHARDS } from '../ids';

/**
 * How the rows of each table are placed on physical shards, so a move
 * (ADR 0024) knows which rows belong to a range of logical shards.
 *
 * - `movable`: the row belongs to one logical shard, given by an SQL
 *   expression over the row's columns (MySQL; `row` is the column prefix:
 *   `NEW.`, `OLD.`, or empty);
 * - `stays`: the table is per physical shard (the catalog, per-shard totals,
 *   per-shard marks); a move leaves it alone.
 *
 * Every table needs an entry: a test compares this list with the schema.
 */
export type TablePlacement =
  { kind: 'movable'; owner: (row: string) => string } | { kind: 'stays'; why: string };

const SHARD_SHIFT = 10;

/** The logical shard inside an ID column (see ids.ts: bits 10..21). */
function byId(column: string): TablePlacement {
  return {
    kind: 'movable',
    owner: (row) => `((cast(${row}${column} as unsigned) >> ${SHARD_SHIFT}) & ${LOGICAL_SHARDS - 1})`,
  };
}

/** The logical shard of a directory key `<kind>:<value>`, as `logicalShardForKey` computes it. */
const byDirectoryKey: TablePlacement = {
  kind: 'movable',
  owner: (row) =>
    `(conv(left(sha2(concat(${row}kind, ':', ${row}value), 256), 4), 16, 10) % ${LOGICAL_SHARDS})`,
};

/** A booking's roll-up counts stay where they were added; its claim moves with it (`rollup_parts`). */
const perShardTotals: TablePlacement = {
  kind: 'stays',
  why: "per-shard totals: analytics sums every shard's rows, so a moved booking is counted once",
};

export const TABLE_PLACEMENTS: Readonly<Record<string, TablePlacement>> = {
  users: byId('id'),
  drivers: byId('user_id'),
  vehicles: byId('id'),
  lookup_directory: byDirectoryKey,
  sessions: byId('user_id'),
  share_links: byId('booking_id'),
  outbox: byId('id'),
  quotes: byId('id'),
  bookings: byId('id'),
  booking_events: byId('booking_id'),
  booking_stops: byId('booking_id'),
  booking_pins: byId('booking_id'),
  breadcrumbs: byId('booking_id'),
  offers: byId('driver_id'),
  driver_jobs: byId('driver_id'),
  idempotency_keys: byId('user_id'),
  notifications: byId('user_id'),
  api_keys: byId('customer_id'),
  webhook_endpoints: byId('customer_id'),
  webhook_versions: byId('customer_id'),
  webhook_deliveries: byId('customer_id'),
  driver_daily: byId('driver_id'),
  driver_weekly: byId('driver_id'),
  stop_failure_daily: byId('driver_id'),
  generation_jobs: byId('id'),
  uploads: byId('id'),
  blobs: byId('id'),
  rollup_parts: {
    kind: 'movable',
    owner: (row) =>
      `((cast(coalesce(${row}owner_id, ${row}booking_id) as unsigned) >> ${SHARD_SHIFT}) & ${LOGICAL_SHARDS - 1})`,
  },
  shard_ranges: { kind: 'stays', why: 'the shard map itself, on shard 0' },
  shard_map_state: { kind: 'stays', why: 'the shard map version, on shard 0' },
  shard_map_acks: { kind: 'stays', why: 'heartbeats of running processes, on shard 0' },
  shard_moves: { kind: 'stays', why: 'the moves themselves, on shard 0' },
  shard_move_changes: { kind: 'stays', why: "a move's change log on its source shard" },
  booking_daily: perShardTotals,
  unfilled_hourly: perShardTotals,
  unfilled_areas: perShardTotals,
  generation_marks: { kind: 'stays', why: 'per-shard chunk marks; no move runs while a generation job does' },
  kysely_migration: { kind: 'stays', why: "each shard's own schema history" },
  kysely_migration_lock: { kind: 'stays', why: "each shard's own migration lock" },
};

/** The tables whose rows a move copies, with their owner expressions. */
export function movableTables(): { table: string; owner: (row: string) => string }[] {
  return Object.entries(TABLE_PLACEMENTS).flatMap(([table, placement]) =>
    placement.kind === 'movable' ? [{ table, owner: placement.owner }] : [],
  );
}
