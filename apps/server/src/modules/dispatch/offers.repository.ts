import type { Selectable } from 'kysely';
import { Offer } from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import { isUniqueViolation } from '../../platform/db/db-errors';
import { executeLater } from '../../platform/db/pipelined-transactions';
import type { OfferStatus, OffersTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type OfferRow = Selectable<OffersTable>;

/** `offers.payload`: the offer exactly as the driver is shown it. */
export const OFFER_PAYLOAD = new StoredJson('offers.payload', Offer);

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

  /**
   * Adds several offers (all on `db`'s shard) in one statement. Inside a
   * transaction it travels with the next statement or the COMMIT (ADR 0034);
   * a driver who already has an offer for the booking fails it there, on the
   * unique key, and the transaction rolls back whole.
   */
  async insertAll(db: Executor, rows: readonly OfferRow[]): Promise<void> {
    await executeLater(db, db.insertInto('offers').values([...rows]));
  }

  async find(db: Executor, driverId: string, bookingId: string): Promise<OfferRow | undefined> {
    return db
      .selectFrom('offers')
      .selectAll()
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
  }

  /** The offers of these drivers for these bookings (all on `db`'s shard) that exist, in no order. */
  async findMany(
    db: Executor,
    keys: readonly { driverId: string; bookingId: string }[],
  ): Promise<OfferRow[]> {
    if (keys.length === 0) {
      return [];
    }
    return db
      .selectFrom('offers')
      .selectAll()
      .where((eb) =>
        eb.or(
          keys.map((key) =>
            eb.and([eb('driver_id', '=', key.driverId), eb('booking_id', '=', key.bookingId)]),
          ),
        ),
      )
      .execute();
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

  /**
   * Opens an offer again for a new wave, if the driver's last one for this
   * booking was withdrawn while still open (another driver took the booking,
   * then released it); true when it was reopened.
   */
  async reopen(db: Executor, row: OfferRow): Promise<boolean> {
    const result = await db
      .updateTable('offers')
      .set({
        status: 'pending',
        wave: row.wave,
        payload: row.payload,
        created_at: row.created_at,
        expires_at: row.expires_at,
        responded_at: null,
      })
      .where('driver_id', '=', row.driver_id)
      .where('booking_id', '=', row.booking_id)
      .where('status', '=', 'revoked')
      .whereRef('responded_at', '<', 'expires_at')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Withdraws the driver's pending offer for a booking if it was made in wave
   * `upToWave` or before (an offer of a later wave belongs to a later search);
   * true when it was withdrawn.
   */
  async revoke(
    db: Executor,
    driverId: string,
    bookingId: string,
    upToWave: number,
    now: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('offers')
      .set({ status: 'revoked', responded_at: now })
      .where('driver_id', '=', driverId)
      .where('booking_id', '=', bookingId)
      .where('status', '=', 'pending')
      .where('wave', '<=', upToWave)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks the booking's pending offers to these drivers (all on `db`'s shard) past their deadline as expired. */
  async expireLapsed(
    db: Executor,
    driverIds: readonly string[],
    bookingId: string,
    now: number,
  ): Promise<void> {
    if (driverIds.length === 0) {
      return;
    }
    await db
      .updateTable('offers')
      .set({ status: 'expired', responded_at: now })
      .where('driver_id', 'in', driverIds)
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
   * Of `driverIds` (all on this shard), those who may be offered `booking` now:
   * online, not suspended, without an active trip, with a vehicle that carries
   * its weight, and not offered it before, unless that offer was withdrawn while
   * still open (another driver took the booking). A driver who rejected it, let
   * it lapse or took and released it is not asked again.
   */
  async eligible(
    db: Executor,
    driverIds: readonly string[],
    booking: { id: string; weightKg: number | null },
  ): Promise<Set<string>> {
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
      .where('drivers.active_booking_id', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('offers')
              .select('offers.driver_id')
              .whereRef('offers.driver_id', '=', 'drivers.user_id')
              .where('offers.booking_id', '=', booking.id)
              .where((offer) =>
                offer.or([
                  offer('offers.status', '!=', 'revoked'),
                  offer('offers.responded_at', '>=', offer.ref('offers.expires_at')),
                ]),
              ),
          ),
        ),
      );
    if (booking.weightKg !== null) {
      query = query.where('vehicles.capacity_kg', '>=', booking.weightKg);
    }
    const rows = await query.execute();
    return new Set(rows.map((row) => row.user_id));
  }
}
