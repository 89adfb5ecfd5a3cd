import { sql } from 'kysely';
import type { Executor } from '../../platform/db/shard-pool';

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
 * Where and when bookings expired unfilled, on one shard: bookings made in a
 * range of UTC days that ended `expired`, counted by the hour of day they were
 * made and by pickup area. Read from the roll-ups (ADR 0041): at most 24 rows
 * a day for the hours and a row per area and day, not the bookings.
 */
export class UnfilledDemandRepository {
  async byHour(
    db: Executor,
    range: { fromDay: number; toDay: number },
  ): Promise<{ hour: number; count: number }[]> {
    const rows = await db
      .selectFrom('unfilled_hourly')
      .select(['hour', sql<number | string>`sum(expired)`.as('n')])
      .where('day', '>=', range.fromDay)
      .where('day', '<=', range.toDay)
      .groupBy('hour')
      .execute();
    return rows.map((row) => ({ hour: row.hour, count: Number(row.n) }));
  }

  async byArea(db: Executor, range: { fromDay: number; toDay: number }): Promise<ExpiredArea[]> {
    const count = sql<number | string>`sum(expired)`;
    const rows = await db
      .selectFrom('unfilled_areas')
      .select(['cell_lat', 'cell_lng', count.as('n'), sql<string | null>`max(address)`.as('address')])
      .where('day', '>=', range.fromDay)
      .where('day', '<=', range.toDay)
      .groupBy(['cell_lat', 'cell_lng'])
      .orderBy(count, 'desc')
      .orderBy('cell_lat')
      .orderBy('cell_lng')
      .limit(AREAS_PER_SHARD)
      .execute();
    return rows.map((row) => ({
      cellLat: row.cell_lat,
      cellLng: row.cell_lng,
      count: Number(row.n),
      address: row.address,
    }));
  }
}
