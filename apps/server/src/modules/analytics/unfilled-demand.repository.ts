import { sql, type RawBuilder } from 'kysely';
import { encodeId, ID_EPOCH_MS } from '../../platform/db/ids';
import type { Executor, SqlDialectName } from '../../platform/db/shard-pool';

/** Pickup areas are cells of 1/20 of a degree (about 5.5 km north to south). */
export const AREA_CELLS_PER_DEGREE = 20;
/** Most areas one shard answers; a range with more has them spread too thin to matter one by one. */
const AREAS_PER_SHARD = 500;

export interface ExpiredArea {
  /** The cell's indexes: its centre is `(cellLat / 20, cellLng / 20)`. */
  cellLat: number;
  cellLng: number;
  count: number;
  /** One pickup address typed in the cell, to name it; null when none was. */
  address: string | null;
}

/**
 * How far an ID's time may stray from its row's `created_at`: generated IDs
 * carry the generation index in their low 22 bits of time (about 70 minutes,
 * generation/generated-ids.ts); live IDs do not stray.
 */
const ID_TIME_SLACK_MS = 2 * 3600_000;

/** The smallest ID minted at `ms` or later: IDs lead with their time, so a time range is an ID range. */
function idFloor(ms: number): string {
  return encodeId({ timestampMs: Math.max(ID_EPOCH_MS, ms), logicalShard: 0, node: 0, sequence: 0 });
}

/**
 * Where and when bookings expired unfilled, on one shard: bookings made in
 * `[fromMs, toMs)` that ended `expired`, counted by the UTC hour of day they
 * were made and by pickup area. An index range read of `(status, id)`: only
 * the expired bookings of the range are read.
 */
export class UnfilledDemandRepository {
  async byHour(
    db: Executor,
    dialect: SqlDialectName,
    range: { fromMs: number; toMs: number },
  ): Promise<{ hour: number; count: number }[]> {
    // MySQL's `/` divides exactly; `div` is its integer division, SQLite's `/` on integers is already one.
    const hour =
      dialect === 'mysql'
        ? sql<number | string>`(created_at div 3600000) % 24`
        : sql<number | string>`(created_at / 3600000) % 24`;
    const rows = await expiredIn(db, range)
      .select([hour.as('hour'), sql<number | string>`count(*)`.as('n')])
      .groupBy(hour)
      .execute();
    return rows.map((row) => ({ hour: Number(row.hour), count: Number(row.n) }));
  }

  async byArea(db: Executor, range: { fromMs: number; toMs: number }): Promise<ExpiredArea[]> {
    const cellLat = areaCell(sql.ref('pickup_lat'));
    const cellLng = areaCell(sql.ref('pickup_lng'));
    const count = sql<number | string>`count(*)`;
    const rows = await expiredIn(db, range)
      .select([
        cellLat.as('cell_lat'),
        cellLng.as('cell_lng'),
        count.as('n'),
        sql<string | null>`max(pickup_address)`.as('address'),
      ])
      .groupBy([cellLat, cellLng])
      .orderBy(count, 'desc')
      .limit(AREAS_PER_SHARD)
      .execute();
    return rows.map((row) => ({
      cellLat: Number(row.cell_lat),
      cellLng: Number(row.cell_lng),
      count: Number(row.n),
      address: row.address,
    }));
  }
}

/**
 * A coordinate's cell index, `floor(x * 20 + 0.5)`: halves go up in both
 * dialects (MariaDB's `round` of a double takes a half to the even neighbour,
 * SQLite's away from zero), as `Math.round` does, so a pickup on a cell's edge
 * lands in the same area whichever store counts it.
 */
function areaCell(coordinate: RawBuilder<unknown>) {
  return sql<number | string>`floor(${coordinate} * ${sql.lit(AREA_CELLS_PER_DEGREE)} + 0.5)`;
}

/** The range's expired bookings: the ID range bounds the index read, `created_at` makes it exact. */
function expiredIn(db: Executor, range: { fromMs: number; toMs: number }) {
  return db
    .selectFrom('bookings')
    .where('status', '=', 'expired')
    .where('id', '>=', idFloor(range.fromMs - ID_TIME_SLACK_MS))
    .where('id', '<', idFloor(range.toMs + ID_TIME_SLACK_MS))
    .where('created_at', '>=', range.fromMs)
    .where('created_at', '<', range.toMs);
}
