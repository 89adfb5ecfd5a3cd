import { CompiledQuery, type Selectable } from 'kysely';
import { isId } from '../../platform/db/ids';
import type { DriversTable, VehiclesTable } from '../../platform/db/schema';
import type { SqlDialectName } from '../../platform/db/shard-pool';
import type { Executor } from '../../platform/db/shard-pool';

export type DriverRow = Selectable<DriversTable>;
export type VehicleRow = Selectable<VehiclesTable>;
/** A vehicle with its driver's name, for the admin list. */
export type AdminVehicleRow = VehicleRow & { driver_name: string | null };

export interface DriverWithVehicle {
  driver: DriverRow;
  vehicle: VehicleRow;
}

/** What availability is computed from: the driver's flags, claim, last position and vehicle type. */
export interface DriverPresenceRow {
  user_id: string;
  online: number;
  suspended: number;
  active_booking_id: string | null;
  last_lat: number | null;
  last_lng: number | null;
  last_heading: number | null;
  last_seen_at: number | null;
  vehicle_type: VehicleRow['type'];
}

/** A driver as the admin fleet list shows it: profile, account and vehicle in one row. */
export interface AdminDriverRow extends DriverPresenceRow {
  created_at: number;
  name: string;
  email: string;
  phone: string | null;
  vehicle_id: string;
  plate: string;
  capacity_kg: number;
}

/**
 * Admin list filters. They partition the fleet, so every driver matches
 * exactly one: suspended first, then busy (holding a trip), then online or offline.
 */
export type AdminDriverStatus = 'online' | 'offline' | 'busy' | 'suspended';

export interface StoredPosition {
  lat: number;
  lng: number;
  heading: number | null;
  /** Epoch milliseconds: when the position was taken. */
  at: number;
}

/** What the live path needs of a driver's row: availability, the claim and the last stored position. */
const PRESENCE_COLUMNS = [
  'drivers.user_id',
  'drivers.online',
  'drivers.suspended',
  'drivers.active_booking_id',
  'drivers.last_lat',
  'drivers.last_lng',
  'drivers.last_heading',
  'drivers.last_seen_at',
] as const;

/** Driver profiles and their vehicles, on the driver's shard. */
export class DriversRepository {
  async insert(db: Executor, driver: DriverRow, vehicle: VehicleRow): Promise<void> {
    await db.insertInto('vehicles').values(vehicle).execute();
    await db.insertInto('drivers').values(driver).execute();
  }

  /** What a customer is told about the driver on their booking: name, phone, vehicle type and plate. */
  async card(
    db: Executor,
    userId: string,
  ): Promise<{ name: string; phone: string | null; type: VehicleRow['type']; plate: string } | undefined> {
    return db
      .selectFrom('users')
      .innerJoin('drivers', 'drivers.user_id', 'users.id')
      .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
      .select(['users.name', 'users.phone', 'vehicles.type', 'vehicles.plate'])
      .where('users.id', '=', userId)
      .executeTakeFirst();
  }

  async exists(db: Executor, userId: string): Promise<boolean> {
    const row = await db
      .selectFrom('drivers')
      .select('user_id')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async findWithVehicle(db: Executor, userId: string): Promise<DriverWithVehicle | undefined> {
    const driver = await db
      .selectFrom('drivers')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (driver === undefined) {
      return undefined;
    }
    const vehicle = await db
      .selectFrom('vehicles')
      .selectAll()
      .where('id', '=', driver.vehicle_id)
      .executeTakeFirstOrThrow();
    return { driver, vehicle };
  }

  async findPresence(db: Executor, userId: string): Promise<DriverPresenceRow | undefined> {
    return this.presenceQuery(db).where('drivers.user_id', '=', userId).executeTakeFirst();
  }

  /** Online drivers of one shard after `afterId`, in ID order (index `drivers_online`). */
  async listOnline(db: Executor, afterId: string | null, limit: number): Promise<DriverPresenceRow[]> {
    let query = this.presenceQuery(db).where('drivers.online', '=', 1);
    if (afterId !== null) {
      query = query.where('drivers.user_id', '>', afterId);
    }
    return query.orderBy('drivers.user_id').limit(limit).execute();
  }

  /**
   * Sets the online flag. Going online is refused for a suspended driver, in
   * the same statement so a suspension cannot slip in between a check and the
   * write. False when no row was changed (unknown or suspended driver).
   */
  async setOnline(db: Executor, userId: string, online: boolean, now: number): Promise<boolean> {
    let query = db
      .updateTable('drivers')
      .set({ online: online ? 1 : 0, updated_at: now })
      .where('user_id', '=', userId);
    if (online) {
      query = query.where('suspended', '=', 0);
    }
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Locks the driver's row for the rest of the transaction where the dialect can (MySQL). */
  async findForUpdate(
    db: Executor,
    userId: string,
    dialect: SqlDialectName,
  ): Promise<Pick<DriverRow, 'user_id' | 'suspended'> | undefined> {
    let query = db.selectFrom('drivers').select(['user_id', 'suspended']).where('user_id', '=', userId);
    if (dialect === 'mysql') {
      query = query.forUpdate();
    }
    return query.executeTakeFirst();
  }

  /** Suspending also takes the driver offline; lifting a suspension leaves the driver offline. */
  async setSuspended(db: Executor, userId: string, suspended: boolean, now: number): Promise<void> {
    await db
      .updateTable('drivers')
      .set(suspended ? { suspended: 1, online: 0, updated_at: now } : { suspended: 0, updated_at: now })
      .where('user_id', '=', userId)
      .execute();
  }

  /**
   * Stores many drivers' last known positions in one statement (CASE per
   * column); a row keeps its position when a newer one is already stored.
   */
  /**
   * Each driver's last position, unless a newer one is stored: one statement
   * for the batch, its values written into the text (no query tree per row,
   * and no placeholders for the driver's escaping to scan: a batch is
   * hundreds of values, every few seconds, on the location hot path's behalf).
   */
  async updateLastPositions(
    db: Executor,
    entries: readonly (readonly [string, StoredPosition])[],
  ): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await db.executeQuery(CompiledQuery.raw(lastPositionsStatement(entries), []));
  }

  async findRating(
    db: Executor,
    userId: string,
  ): Promise<Pick<DriverRow, 'rating_sum' | 'rating_count'> | undefined> {
    return db
      .selectFrom('drivers')
      .select(['rating_sum', 'rating_count'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async findAdmin(db: Executor, userId: string): Promise<AdminDriverRow | undefined> {
    return this.adminQuery(db).where('drivers.user_id', '=', userId).executeTakeFirst();
  }

  /** One shard's drivers with IDs below `beforeId`, newest first. */
  async listAdmin(
    db: Executor,
    options: { status: AdminDriverStatus | undefined; beforeId: string | null; limit: number },
  ): Promise<AdminDriverRow[]> {
    let query = this.adminQuery(db);
    if (options.beforeId !== null) {
      query = query.where('drivers.user_id', '<', options.beforeId);
    }
    switch (options.status) {
      case 'suspended':
        query = query.where('drivers.suspended', '=', 1);
        break;
      case 'busy':
        query = query.where('drivers.suspended', '=', 0).where('drivers.active_booking_id', 'is not', null);
        break;
      case 'online':
      case 'offline':
        query = query
          .where('drivers.suspended', '=', 0)
          .where('drivers.active_booking_id', 'is', null)
          .where('drivers.online', '=', options.status === 'online' ? 1 : 0);
        break;
      case undefined:
        break;
    }
    return query.orderBy('drivers.user_id', 'desc').limit(options.limit).execute();
  }

  /** One shard's vehicles with IDs below `beforeId`, newest first. */
  /** Vehicles of this shard, newest first, with their drivers' names (a driver lives on its vehicle's shard). */
  async listVehicles(db: Executor, beforeId: string | null, limit: number): Promise<AdminVehicleRow[]> {
    let query = db
      .selectFrom('vehicles')
      .leftJoin('users', 'users.id', 'vehicles.driver_id')
      .selectAll('vehicles')
      .select('users.name as driver_name');
    if (beforeId !== null) {
      query = query.where('vehicles.id', '<', beforeId);
    }
    return query.orderBy('vehicles.id', 'desc').limit(limit).execute();
  }

  private presenceQuery(db: Executor) {
    return db
      .selectFrom('drivers')
      .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
      .select([...PRESENCE_COLUMNS, 'vehicles.type as vehicle_type']);
  }

  private adminQuery(db: Executor) {
    return db
      .selectFrom('drivers')
      .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
      .innerJoin('users', 'users.id', 'drivers.user_id')
      .select([
        ...PRESENCE_COLUMNS,
        'drivers.created_at',
        'vehicles.type as vehicle_type',
        'vehicles.id as vehicle_id',
        'vehicles.plate',
        'vehicles.capacity_kg',
        'users.name',
        'users.email',
        'users.phone',
      ]);
  }
}

/**
 * The last-position columns in the order they are set: `last_seen_at` last, as
 * MySQL sets a row's columns left to right and the guard of the earlier ones
 * reads it.
 */
const POSITION_COLUMNS: readonly (readonly [string, (position: StoredPosition) => number | null])[] = [
  ['last_lat', (position) => position.lat],
  ['last_lng', (position) => position.lng],
  ['last_heading', (position) => position.heading],
  ['last_seen_at', (position) => position.at],
];

/**
 * `update drivers` of the entries' positions, each column a CASE over the rows
 * guarded by the stored time. IDs go as bare integers (as a MySQL shard binds
 * ID parameters, so each comparison is exact) and must be decimal IDs; the
 * other values must be finite numbers or null.
 */
function lastPositionsStatement(entries: readonly (readonly [string, StoredPosition])[]): string {
  const rows = entries.map(([driverId, position]) => ({
    id: idLiteral(driverId),
    at: numberLiteral(position.at),
    position,
  }));
  const columns = POSITION_COLUMNS.map(([name, pick]) => {
    const cases = rows
      .map(
        (row) =>
          ` when user_id = ${row.id} and (last_seen_at is null or last_seen_at < ${row.at}) then ${numberLiteral(pick(row.position))}`,
      )
      .join('');
    return `${name} = case${cases} else ${name} end`;
  });
  return `update drivers set ${columns.join(', ')} where user_id in (${rows.map((row) => row.id).join(', ')})`;
}

function idLiteral(id: string): string {
  if (!isId(id)) {
    throw new RangeError(`not a decimal ID: ${JSON.stringify(id)}`);
  }
  return id;
}

function numberLiteral(value: number | null): string {
  if (value === null) {
    return 'null';
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  return String(value);
}
