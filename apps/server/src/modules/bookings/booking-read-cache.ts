import { Booking } from '@loadline/contracts';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import { VersionedEntries } from '../../platform/cache/versioned-entries';
import type { BookingRow } from './bookings.repository';

/** How long a booking stays cached after it was last read from its shard. */
const TTL_SECONDS = 300;

const CACHED_BOOKING = new StoredJson('cached booking', Booking);

function key(bookingId: string): string {
  return `booking:${bookingId}`;
}

/**
 * The version of a booking as it is presented: every change bumps its seq;
 * the customer's rating (once, on a delivered trip, without a seq) adds one,
 * and any later change still counts higher.
 */
export function bookingVersion(row: Pick<BookingRow, 'seq' | 'rating'>): number {
  return row.seq * 2 + (row.rating === null ? 0 : 1);
}

/**
 * `GET /v1/bookings/:id` from the shared cache (ADR 0030): a warm read is one
 * cache read and no SQL. Kept correct by its writers, not by expiry: every
 * change fences its new version in the cache inside its transaction, before
 * the commit, so once a change is acknowledged to anyone (its answer, a socket
 * event, a webhook) no read can answer the version before it, and a read that
 * raced the change cannot store the old version afterwards. A read that misses
 * stores what it read at its version.
 */
export class BookingReadCache {
  private readonly entries: VersionedEntries<typeof Booking>;

  constructor(cache: Cache, logger: Logger) {
    this.entries = new VersionedEntries(cache, CACHED_BOOKING, key, TTL_SECONDS, logger);
  }

  /** The cached booking; null on a miss, a fence, or an entry that no longer reads as a booking. */
  read(bookingId: string): Promise<Booking | null> {
    return this.entries.read(bookingId);
  }

  /** Stores a booking read from its shard; a failure only costs the next read a shard read. */
  store(booking: Booking, version: number): Promise<void> {
    return this.entries.store(booking.id, booking, version);
  }

  /**
   * In a change's transaction, before it commits: `version` is current from
   * now on. A failure fails the change (the cache could answer the old version).
   */
  fence(bookingId: string, version: number): Promise<void> {
    return this.entries.fence(bookingId, version);
  }
}
