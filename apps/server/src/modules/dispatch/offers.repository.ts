import type { Selectable } from 'kysely';
import { isUniqueViolation } from '../../platform/db/db-errors';
import type { OfferStatus, OffersTable } from '../../platform/db/schema';
import type { Executor } from '../users/users.repository';

export type OfferRow = Selectable<OffersTable>;

/** Offers in each driver's inbox, on the driver's shard. */
export class OffersRepository {
  /** Adds an offer unless this driver already has one for the booking; true when added. */
  async insert(db: Executor, row: OfferRow): Promise<boolean> {
    try {
      await db.insertInto('offers').values(row).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  async find(db: Executor, driverId: string, bookingId: string): Promise<OfferRow | undefined> {
    return db
      .selectFrom('offers')
      .selectAll()
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
  }

  /** Moves an offer from one of `from` to `to`; true when it moved. */
  async setStatus(
    db: Executor,
    driverId: string,
    bookingId: string,
    from: readonly OfferStatus[],
    to: OfferStatus,
    now: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('offers')
      .set({ status: to, responded_at: now })
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .where('status', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks pending offers past their deadline as expired. */
  async expireLapsed(db: Executor, driverId: string, bookingId: string, now: number): Promise<void> {
    await db
      .updateTable('offers')
      .set({ status: 'expired', responded_at: now })
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute();
  }

  async pending(db: Executor, driverId: string, now: number): Promise<OfferRow[]> {
    return db
      .selectFrom('offers')
      .selectAll()
      .where('driver_id', '=', driverId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
  }

  /**
   * Of `driverIds` (all on this shard), those who may be offered a job now:
   * online, not suspended, without an active job, with a vehicle that carries `weightKg`.
   */
  async eligible(db: Executor, driverIds: readonly string[], weightKg: number | null): Promise<Set<string>> {
    if (driverIds.length === 0) {
      return new Set();
    }
    let query = db
      .selectFrom('drivers')
      .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
      .select('drivers.user_id')
      .where('drivers.user_id', 'in', driverIds)
      .where('drivers.online', '=', 1)
      .where('drivers.suspended', '=', 0)
      .where('drivers.active_booking_id', 'is', null);
    if (weightKg !== null) {
      query = query.where('vehicles.capacity_kg', '>=', weightKg);
    }
    const rows = await query.execute();
    return new Set(rows.map((row) => row.user_id));
  }
}
