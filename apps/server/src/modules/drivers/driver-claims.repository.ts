import type { ShardRouter } from '../../platform/db/shard-router';

/**
 * The claim that keeps a driver to one active trip: `drivers.active_booking_id`,
 * set only when empty and cleared only by the booking that holds it. Both are
 * single conditional updates on the driver's shard, so they are race-safe and
 * idempotent.
 */
export class DriverClaimsRepository {
  constructor(private readonly router: ShardRouter) {}

  /**
   * Claims the driver for `bookingId` if the driver is free, not suspended and
   * online. True when the claim is now held for this booking (also when it already was).
   */
  async claim(driverId: string, bookingId: string, now: number): Promise<boolean> {
    const db = this.router.forId(driverId).db;
    const result = await db
      .updateTable('drivers')
      .set({ active_booking_id: bookingId, updated_at: now })
      .where('user_id', '=', driverId)
      .where('active_booking_id', 'is', null)
      .where('suspended', '=', 0)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) {
      return true;
    }
    return (await this.holder(driverId)) === bookingId;
  }

  /** Gives the claim back if `bookingId` holds it; true when this call released it. */
  async release(driverId: string, bookingId: string, now: number): Promise<boolean> {
    const db = this.router.forId(driverId).db;
    const result = await db
      .updateTable('drivers')
      .set({ active_booking_id: null, updated_at: now })
      .where('user_id', '=', driverId)
      .where('active_booking_id', '=', bookingId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The booking the driver is claimed for, or null. */
  async holder(driverId: string): Promise<string | null> {
    const row = await this.router
      .forId(driverId)
      .db.selectFrom('drivers')
      .select('active_booking_id')
      .where('user_id', '=', driverId)
      .executeTakeFirst();
    return row?.active_booking_id ?? null;
  }
}
