import { sql, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import type {
  BookingDailyTable,
  Database,
  DriverDailyTable,
  DriverWeeklyTable,
  RollupPartsTable,
  StopFailureDailyTable,
  UnfilledAreasTable,
  UnfilledHourlyTable,
} from '../../platform/db/schema';
import { executeLater } from '../../platform/db/pipelined-transactions';
import type { Executor, SqlDialectName } from '../../platform/db/shard-pool';
import type { BookingFacts, UnfilledDelta } from './contributions';

export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC) of an epoch-millisecond time. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The Monday-to-Sunday week of a day: day 0, 1970-01-01, was a Thursday (ADR 0042). */
export function weekOf(day: number): number {
  return Math.floor((day + 3) / 7);
}

/**
 * A range of days as the whole weeks inside it and the days left at its
 * edges (`weeks` null when no whole week fits; an edge null when empty).
 */
export function splitByWeeks(range: { fromDay: number; toDay: number }): {
  weeks: { from: number; to: number } | null;
  edges: { fromDay: number; toDay: number }[];
} {
  // Week w runs from day 7w - 3 to day 7w + 3.
  const firstWeek = Math.ceil((range.fromDay + 3) / 7);
  const lastWeek = Math.floor((range.toDay - 3) / 7);
  if (firstWeek > lastWeek) {
    return { weeks: null, edges: [range] };
  }
  const edges = [
    { fromDay: range.fromDay, toDay: 7 * firstWeek - 4 },
    { fromDay: 7 * lastWeek + 4, toDay: range.toDay },
  ].filter((edge) => edge.fromDay <= edge.toDay);
  return { weeks: { from: firstWeek, to: lastWeek }, edges };
}

type BookingCounter = Exclude<keyof BookingDailyTable, 'day' | 'vehicle_type'>;
type DriverCounter = Exclude<keyof DriverDailyTable, 'day' | 'driver_id'>;

export const BOOKING_COUNTERS: readonly BookingCounter[] = [
  'created',
  'delivered',
  'cancelled',
  'expired',
  'trip_ms',
  'trip_count',
  'wait_ms',
  'wait_count',
  'revenue',
];
export const DRIVER_COUNTERS: readonly DriverCounter[] = [
  'trips',
  'trip_ms',
  'rating_sum',
  'rating_count',
  'earnings',
];

export type BookingDailyDelta = Pick<BookingDailyTable, 'day' | 'vehicle_type'> &
  Partial<Pick<BookingDailyTable, BookingCounter>>;
export type DriverDailyDelta = Pick<DriverDailyTable, 'day' | 'driver_id'> &
  Partial<Pick<DriverDailyTable, DriverCounter>>;

export type StopFailureDelta = StopFailureDailyTable;

/** A part of a booking the roll-ups count once (see `bookingParts`). */
export type RollupPart = RollupPartsTable['part'];

/** How a part is named in the sets `claimForRebuild` returns. */
export function partKey(bookingId: string, part: RollupPart): string {
  return `${bookingId}:${part}`;
}

/** Most rows one multi-row statement carries (SQLite caps bound parameters). */
const ROWS_PER_STATEMENT = 500;

/**
 * The analytics roll-ups: counters per day that only ever grow by deltas.
 * Adding is an upsert (`ON DUPLICATE KEY UPDATE c = c + VALUES(c)` on MySQL,
 * `ON CONFLICT DO UPDATE SET c = c + excluded.c` on SQLite), so concurrent
 * writers never lose each other's counts.
 */
/** A part of a booking to count; `ownerId` is the driver for a driver's part (it places the row). */
export interface CountedPart {
  bookingId: string;
  part: RollupPart;
  ownerId?: string;
}

export class RollupsRepository {
  /**
   * Claims one part of a booking for the event that counts it, in the
   * transaction that adds its deltas. The claim travels with them and the
   * COMMIT (ADR 0034): when the part was already counted (by this event
   * before, or by a rebuild) the transaction fails with a unique violation
   * before any delta is added, and nothing is changed.
   */
  async claim(db: Executor, part: CountedPart, eventId: string): Promise<void> {
    await executeLater(
      db,
      db.insertInto('rollup_parts').values({
        booking_id: part.bookingId,
        part: part.part,
        event_id: eventId,
        owner_id: part.ownerId ?? null,
      }),
    );
  }

  /**
   * Claims parts of bookings for a rebuild and returns the ones this call
   * claimed (as `bookingId:part`); the others were counted by an event since
   * the rebuild emptied the shard. Call it in the transaction that adds their
   * deltas, after `clear`: parts a rebuild claimed are those with no event.
   */
  async claimForRebuild(
    db: Executor,
    dialect: SqlDialectName,
    parts: readonly CountedPart[],
  ): Promise<Set<string>> {
    const claimed = new Set<string>();
    for (let start = 0; start < parts.length; start += ROWS_PER_STATEMENT) {
      const slice = parts.slice(start, start + ROWS_PER_STATEMENT);
      const insert = db.insertInto('rollup_parts').values(
        slice.map((part) => ({
          booking_id: part.bookingId,
          part: part.part,
          event_id: null,
          owner_id: part.ownerId ?? null,
        })),
      );
      await (dialect === 'mysql' ? insert.ignore() : insert.orIgnore()).execute();
      const rows = await db
        .selectFrom('rollup_parts')
        .select(['booking_id', 'part'])
        .where('booking_id', 'in', [...new Set(slice.map((part) => part.bookingId))])
        .where('event_id', 'is', null)
        .execute();
      for (const row of rows) {
        claimed.add(partKey(row.booking_id, row.part));
      }
    }
    return claimed;
  }

  /** Inside a transaction the adds here travel with its next statement or its COMMIT (ADR 0034). */
  async addBookingDaily(
    db: Executor,
    dialect: SqlDialectName,
    deltas: readonly BookingDailyDelta[],
  ): Promise<void> {
    const rows = deltas.map((delta) =>
      withEveryCounter({ day: delta.day, vehicle_type: delta.vehicle_type }, delta, BOOKING_COUNTERS),
    );
    await addRows(db, dialect, 'booking_daily', rows, {
      key: ['day', 'vehicle_type'],
      counters: BOOKING_COUNTERS,
    });
  }

  async addDriverDaily(
    db: Executor,
    dialect: SqlDialectName,
    deltas: readonly DriverDailyDelta[],
  ): Promise<void> {
    const rows = deltas.map((delta) =>
      withEveryCounter({ day: delta.day, driver_id: delta.driver_id }, delta, DRIVER_COUNTERS),
    );
    await addRows(db, dialect, 'driver_daily', rows, {
      key: ['day', 'driver_id'],
      counters: DRIVER_COUNTERS,
    });
    await addRows(db, dialect, 'driver_weekly', perWeek(deltas), {
      key: ['week', 'driver_id'],
      counters: DRIVER_COUNTERS,
    });
    await this.addDriverRatings(db, ratingsPerDriver(deltas));
  }

  /** Adds to many drivers' all-time ratings, a few hundred per statement. */
  private async addDriverRatings(
    db: Executor,
    ratings: readonly { driverId: string; sum: number; count: number }[],
  ): Promise<void> {
    for (let start = 0; start < ratings.length; start += ROWS_PER_STATEMENT) {
      const slice = ratings.slice(start, start + ROWS_PER_STATEMENT);
      const sums = sql.join(
        slice.map((rating) => sql`when ${rating.driverId} then ${rating.sum}`),
        sql` `,
      );
      const counts = sql.join(
        slice.map((rating) => sql`when ${rating.driverId} then ${rating.count}`),
        sql` `,
      );
      await executeLater(
        db,
        db
          .updateTable('drivers')
          .set({
            rating_sum: sql`rating_sum + case user_id ${sums} else 0 end`,
            rating_count: sql`rating_count + case user_id ${counts} else 0 end`,
          })
          .where(
            'user_id',
            'in',
            slice.map((rating) => rating.driverId),
          ),
      );
    }
  }

  /** Adds failed stops per day, driver and reason (rows on the drivers' shard). */
  async addStopFailures(
    db: Executor,
    dialect: SqlDialectName,
    deltas: readonly StopFailureDelta[],
  ): Promise<void> {
    await addRows(db, dialect, 'stop_failure_daily', deltas, {
      key: ['day', 'driver_id', 'reason'],
      counters: ['failed'],
    });
  }

  /**
   * Adds expired bookings to the unfilled demand of the days they were made:
   * per hour, and per pickup area (whose first address typed stays its name).
   */
  async addUnfilled(db: Executor, dialect: SqlDialectName, deltas: readonly UnfilledDelta[]): Promise<void> {
    const hours = new Map<string, UnfilledHourlyTable>();
    const areas = new Map<string, UnfilledAreasTable>();
    for (const delta of deltas) {
      const hourKey = `${delta.day}:${delta.hour}`;
      const hour = hours.get(hourKey) ?? { day: delta.day, hour: delta.hour, expired: 0 };
      hour.expired += 1;
      hours.set(hourKey, hour);
      const areaKey = `${delta.day}:${delta.cellLat}:${delta.cellLng}`;
      const area = areas.get(areaKey) ?? {
        day: delta.day,
        cell_lat: delta.cellLat,
        cell_lng: delta.cellLng,
        expired: 0,
        address: null,
      };
      area.expired += 1;
      area.address ??= delta.address;
      areas.set(areaKey, area);
    }
    await addRows(db, dialect, 'unfilled_hourly', [...hours.values()], {
      key: ['day', 'hour'],
      counters: ['expired'],
    });
    await addRows(db, dialect, 'unfilled_areas', [...areas.values()], {
      key: ['day', 'cell_lat', 'cell_lng'],
      counters: ['expired'],
      keepFirst: ['address'],
    });
  }

  /** This shard's failed stops in the range, per reason. */
  async stopFailuresByReason(
    db: Executor,
    range: { fromDay: number; toDay: number },
  ): Promise<{ reason: string; failed: number }[]> {
    const rows = await db
      .selectFrom('stop_failure_daily')
      .select(['reason', sql<number | string>`sum(failed)`.as('failed')])
      .where('day', '>=', range.fromDay)
      .where('day', '<=', range.toDay)
      .groupBy('reason')
      .execute();
    return rows.map((row) => ({ reason: row.reason, failed: Number(row.failed) }));
  }

  /** This shard's drivers with the most failed stops in the range. */
  async topFailingDrivers(
    db: Executor,
    range: { fromDay: number; toDay: number },
    limit: number,
  ): Promise<{ driverId: string; failed: number }[]> {
    const rows = await db
      .selectFrom('stop_failure_daily')
      .select(['driver_id', sql<number | string>`sum(failed)`.as('failed')])
      .where('day', '>=', range.fromDay)
      .where('day', '<=', range.toDay)
      .groupBy('driver_id')
      .orderBy(sql`sum(failed)`, 'desc')
      .orderBy('driver_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ driverId: row.driver_id, failed: Number(row.failed) }));
  }

  /** Some drivers' failed stops in the range, per driver and reason. */
  async driversStopFailures(
    db: Executor,
    driverIds: readonly string[],
    range: { fromDay: number; toDay: number },
  ): Promise<{ driverId: string; reason: string; failed: number }[]> {
    if (driverIds.length === 0) {
      return [];
    }
    const rows = await db
      .selectFrom('stop_failure_daily')
      .select(['driver_id', 'reason', sql<number | string>`sum(failed)`.as('failed')])
      .where('driver_id', 'in', [...driverIds])
      .where('day', '>=', range.fromDay)
      .where('day', '<=', range.toDay)
      .groupBy(['driver_id', 'reason'])
      .execute();
    return rows.map((row) => ({ driverId: row.driver_id, reason: row.reason, failed: Number(row.failed) }));
  }

  /** The failed stops of some bookings of this shard (a rebuild's page). */
  async failedStopsOf(
    db: Executor,
    bookingIds: readonly string[],
  ): Promise<{ bookingId: string; seq: number; reason: string; at: number }[]> {
    if (bookingIds.length === 0) {
      return [];
    }
    const rows = await db
      .selectFrom('booking_stops')
      .select(['booking_id', 'seq', 'failure_reason', 'completed_at'])
      .where('booking_id', 'in', [...bookingIds])
      .where('status', '=', 'failed')
      .execute();
    return rows.flatMap((row) =>
      row.failure_reason === null || row.completed_at === null
        ? []
        : [{ bookingId: row.booking_id, seq: row.seq, reason: row.failure_reason, at: row.completed_at }],
    );
  }

  async bookingDaily(db: Executor, fromDay: number, toDay: number): Promise<BookingDailyTable[]> {
    return db
      .selectFrom('booking_daily')
      .selectAll()
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .execute();
  }

  /**
   * This shard's drivers with the most trips in the range, with their summed
   * figures: the range's whole weeks from `driver_weekly`, the days at its
   * edges from `driver_daily` (a week's row per driver instead of up to seven).
   */
  async topDrivers(
    db: Executor,
    range: { fromDay: number; toDay: number },
    limit: number,
  ): Promise<{ driverId: string; trips: number; tripMs: number; ratingSum: number; ratingCount: number }[]> {
    const counters = ['driver_id', 'trips', 'trip_ms', 'rating_sum', 'rating_count'] as const;
    const { weeks, edges } = splitByWeeks(range);
    const days = db
      .selectFrom('driver_daily')
      .select(counters)
      .where((eb) => eb.or(edges.map((edge) => eb.between('day', edge.fromDay, edge.toDay))));
    const parts =
      weeks === null
        ? days
        : days.unionAll(
            db
              .selectFrom('driver_weekly')
              .select(counters)
              .where('week', '>=', weeks.from)
              .where('week', '<=', weeks.to),
          );
    const rows = await db
      .selectFrom(parts.as('figures'))
      .select([
        'driver_id',
        sql<number | string>`sum(trips)`.as('trips'),
        sql<number | string>`sum(trip_ms)`.as('trip_ms'),
        sql<number | string>`sum(rating_sum)`.as('rating_sum'),
        sql<number | string>`sum(rating_count)`.as('rating_count'),
      ])
      .groupBy('driver_id')
      .orderBy(sql`sum(trips)`, 'desc')
      .orderBy('driver_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      driverId: row.driver_id,
      trips: Number(row.trips),
      tripMs: Number(row.trip_ms),
      ratingSum: Number(row.rating_sum),
      ratingCount: Number(row.rating_count),
    }));
  }

  async driverNames(db: Executor, driverIds: readonly string[]): Promise<Map<string, string>> {
    if (driverIds.length === 0) {
      return new Map();
    }
    const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', driverIds).execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** Offers the drivers answered (accepted, rejected or let expire) in a time range, per driver. */
  async offerAnswers(
    db: Executor,
    driverIds: readonly string[],
    range: { fromMs: number; toMs: number },
  ): Promise<Map<string, { accepted: number; answered: number }>> {
    const answers = new Map<string, { accepted: number; answered: number }>();
    if (driverIds.length === 0) {
      return answers;
    }
    const rows = await db
      .selectFrom('offers')
      .select([
        'driver_id',
        sql<number | string>`sum(case when status = 'accepted' then 1 else 0 end)`.as('accepted'),
        sql<number | string>`count(*)`.as('answered'),
      ])
      .where('driver_id', 'in', driverIds)
      .where('status', 'in', ['accepted', 'rejected', 'expired'])
      .where('created_at', '>=', range.fromMs)
      .where('created_at', '<', range.toMs)
      .groupBy('driver_id')
      .execute();
    for (const row of rows) {
      answers.set(row.driver_id, { accepted: Number(row.accepted), answered: Number(row.answered) });
    }
    return answers;
  }

  /** The highest booking ID on this shard now, or null when it has none. */
  async lastBookingId(db: Executor): Promise<string | null> {
    const row = await db
      .selectFrom('bookings')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : row.id;
  }

  /** The facts roll-ups are built from, for a page of this shard's bookings in ID order, up to `lastId`. */
  async bookingFactsAfter(
    db: Executor,
    range: { afterId: string | null; lastId: string },
    limit: number,
  ): Promise<(BookingFacts & { id: string })[]> {
    let query = db
      .selectFrom('bookings')
      .select([
        'id',
        'vehicle_type',
        'status',
        'driver_id',
        'price_amount',
        'search_started_at',
        'picked_up_at',
        'delivered_at',
        'cancelled_at',
        'created_at',
        'updated_at',
        'rating',
        'pickup_lat',
        'pickup_lng',
        'pickup_address',
      ])
      .where('id', '<=', range.lastId)
      .orderBy('id')
      .limit(limit);
    if (range.afterId !== null) {
      query = query.where('id', '>', range.afterId);
    }
    return query.execute();
  }

  /**
   * Empties this shard's roll-ups (failed stops and unfilled demand too), the parts they counted and the drivers'
   * all-time ratings (the first step of a rebuild). Run it in one transaction,
   * so an event counted meanwhile is emptied with its part or kept with it.
   */
  async clear(db: Executor): Promise<void> {
    await db.deleteFrom('rollup_parts').execute();
    await db.deleteFrom('booking_daily').execute();
    await db.deleteFrom('driver_daily').execute();
    await db.deleteFrom('driver_weekly').execute();
    await db.deleteFrom('stop_failure_daily').execute();
    await db.deleteFrom('unfilled_hourly').execute();
    await db.deleteFrom('unfilled_areas').execute();
    await db.updateTable('drivers').set({ rating_sum: 0, rating_count: 0 }).execute();
  }
}

/** A delta as a whole row: its key, and every counter (0 where the delta has none). */
function withEveryCounter<K extends object, C extends string>(
  key: K,
  delta: Partial<Record<C, number>>,
  counters: readonly C[],
): K & Record<C, number> {
  const counts = {} as Record<C, number>;
  for (const counter of counters) {
    counts[counter] = delta[counter] ?? 0;
  }
  return { ...key, ...counts };
}

/** The roll-up tables, whose rows only ever grow by deltas. */
type RollupTableName =
  | 'booking_daily'
  | 'driver_daily'
  | 'driver_weekly'
  | 'stop_failure_daily'
  | 'unfilled_hourly'
  | 'unfilled_areas';

type ColumnOf<T extends RollupTableName> = keyof Database[T] & string;

/** Any table, any columns: the view `addRows` builds its statements on. */
type UntypedDatabase = Record<string, Record<string, unknown>>;

/**
 * Adds rows to a roll-up table, `ROWS_PER_STATEMENT` a statement. A row whose
 * key is new is inserted; otherwise its counters are added to the stored ones,
 * and each `keepFirst` column keeps its stored value unless that is null. The
 * statements travel with the transaction's next one (ADR 0034).
 */
async function addRows<T extends RollupTableName>(
  db: Executor,
  dialect: SqlDialectName,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  columns: {
    key: readonly ColumnOf<T>[];
    counters: readonly ColumnOf<T>[];
    keepFirst?: readonly ColumnOf<T>[];
  },
): Promise<void> {
  // Kysely types a statement by a table named in the code; the table here is a parameter, so the
  // statement is built on an untyped view of the same executor, and this signature types the callers.
  const untyped = db as unknown as Kysely<UntypedDatabase>;
  const tableName: string = table;
  // The value a conflicting row brought: `values(c)` on MySQL, `excluded.c` on SQLite.
  const incoming = (column: string): RawBuilder<unknown> =>
    dialect === 'mysql' ? sql`values(${sql.ref(column)})` : sql.ref(`excluded.${column}`);
  const update: Record<string, RawBuilder<unknown>> = {};
  for (const column of columns.counters) {
    update[column] = sql`${sql.ref(column)} + ${incoming(column)}`;
  }
  for (const column of columns.keepFirst ?? []) {
    update[column] = sql`coalesce(${sql.ref(column)}, ${incoming(column)})`;
  }
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const slice = rows.slice(start, start + ROWS_PER_STATEMENT) as readonly UntypedDatabase[string][];
    const insert = untyped.insertInto(tableName).values(slice);
    await executeLater(
      db,
      dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate(update)
        : insert.onConflict((conflict) => conflict.columns([...columns.key]).doUpdateSet(update)),
    );
  }
}

/** Driver deltas summed per week and driver, every counter present. */
function perWeek(deltas: readonly DriverDailyDelta[]): DriverWeeklyTable[] {
  const byKey = new Map<string, DriverWeeklyTable>();
  for (const delta of deltas) {
    const week = weekOf(delta.day);
    const key = `${week}:${delta.driver_id}`;
    const row = byKey.get(key) ?? withEveryCounter({ week, driver_id: delta.driver_id }, {}, DRIVER_COUNTERS);
    for (const counter of DRIVER_COUNTERS) {
      row[counter] += delta[counter] ?? 0;
    }
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

function ratingsPerDriver(
  deltas: readonly DriverDailyDelta[],
): { driverId: string; sum: number; count: number }[] {
  const byDriver = new Map<string, { driverId: string; sum: number; count: number }>();
  for (const delta of deltas) {
    if ((delta.rating_count ?? 0) === 0) {
      continue;
    }
    const entry = byDriver.get(delta.driver_id) ?? { driverId: delta.driver_id, sum: 0, count: 0 };
    entry.sum += delta.rating_sum ?? 0;
    entry.count += delta.rating_count ?? 0;
    byDriver.set(delta.driver_id, entry);
  }
  return [...byDriver.values()];
}
