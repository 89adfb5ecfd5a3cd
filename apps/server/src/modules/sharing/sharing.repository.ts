import type { TrackStop } from '@loadline/contracts';
import type { Insertable, Selectable } from 'kysely';
import type { BookingsTable, ShareLinksTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';

export type ShareLinkRow = Selectable<ShareLinksTable>;

/** The booking columns a public view and a link's expiry need: no customer, price or PIN among them. */
export type SharedBookingRow = Pick<
  Selectable<BookingsTable>,
  | 'status'
  | 'vehicle_type'
  | 'driver_id'
  | 'pickup_lat'
  | 'pickup_lng'
  | 'dropoff_lat'
  | 'dropoff_lng'
  | 'delivered_at'
  | 'cancelled_at'
  | 'updated_at'
>;

export interface ResolvedLink {
  link: ShareLinkRow;
  booking: SharedBookingRow & { id: string; customer_id: string };
}

/** Share links, on their booking's shard. */
export class SharingRepository {
  async insert(db: Executor, row: Insertable<ShareLinksTable>): Promise<void> {
    await db.insertInto('share_links').values(row).execute();
  }

  /** Where each stop of the booking stands, in order; none for a booking made before stops were stored. */
  async stopStatuses(db: Executor, bookingId: string): Promise<TrackStop[]> {
    return db
      .selectFrom('booking_stops')
      .select(['seq', 'status'])
      .where('booking_id', '=', bookingId)
      .orderBy('seq')
      .execute();
  }

  /** The link and its booking in one read; undefined for an unknown hash. */
  async resolve(db: Executor, tokenHash: string): Promise<ResolvedLink | undefined> {
    const row = await db
      .selectFrom('share_links as l')
      .innerJoin('bookings as b', 'b.id', 'l.booking_id')
      .select([
        'l.token_hash',
        'l.booking_id',
        'l.customer_id',
        'l.created_at',
        'l.expires_at',
        'l.revoked_at',
        'b.status',
        'b.vehicle_type',
        'b.driver_id',
        'b.pickup_lat',
        'b.pickup_lng',
        'b.dropoff_lat',
        'b.dropoff_lng',
        'b.delivered_at',
        'b.cancelled_at',
        'b.updated_at',
      ])
      .where('l.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (row === undefined) {
      return undefined;
    }
    return {
      link: {
        token_hash: row.token_hash,
        booking_id: row.booking_id,
        customer_id: row.customer_id,
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
      },
      booking: {
        id: row.booking_id,
        customer_id: row.customer_id,
        status: row.status,
        vehicle_type: row.vehicle_type,
        driver_id: row.driver_id,
        pickup_lat: row.pickup_lat,
        pickup_lng: row.pickup_lng,
        dropoff_lat: row.dropoff_lat,
        dropoff_lng: row.dropoff_lng,
        delivered_at: row.delivered_at,
        cancelled_at: row.cancelled_at,
        updated_at: row.updated_at,
      },
    };
  }

  /** Marks the booking's link revoked; false when there is no such live link. */
  async revoke(db: Executor, bookingId: string, tokenHash: string, now: number): Promise<boolean> {
    const result = await db
      .updateTable('share_links')
      .set({ revoked_at: now })
      .where('token_hash', '=', tokenHash)
      .where('booking_id', '=', bookingId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
