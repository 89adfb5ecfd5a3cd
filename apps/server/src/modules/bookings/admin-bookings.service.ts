import {
  AdminBooking,
  decodeBookingRef,
  idOfFallbackRef,
  normalizeBookingRef,
  Page,
  type AdminBookingListQuery,
  type Booking,
} from '@loadline/contracts';
import { CachedList, type ListCache } from '../../platform/cache/list-cache';
import { compareIds, decodeIdCursor, scatterGather, type ScatterPage } from '../../platform/db/scatter';
import type { Shard } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { UsersRepository } from '../users/users.repository';
import { BookingStopsRepository, type BookingStopRow } from './booking-stops.repository';
import { presentBookingWithStops } from './bookings.presenter';
import type { BookingRow, BookingsRepository } from './bookings.repository';

/** The admin bookings list's cached pages; every booking write drops them. */
export const BOOKINGS_LIST = new CachedList('bookings', 30, Page(AdminBooking));

/**
 * Every booking across shards, newest first, for admins: pages merged from
 * every shard (one shard for one customer's), with the customer's and driver's
 * names; cached until a write. A reference finds its one booking.
 */
export class AdminBookingsService {
  /** The bookings' stops (the repository holds no state). */
  private readonly stops = new BookingStopsRepository();

  constructor(
    private readonly deps: {
      router: ShardRouter;
      bookings: BookingsRepository;
      users: Pick<UsersRepository, 'names'>;
      lists?: ListCache | undefined;
    },
  ) {}

  async list(query: AdminBookingListQuery): Promise<ScatterPage<AdminBooking>> {
    // The pages are keyed by ID: a cursor that is not one ID this list issued is a 400, before the cache.
    if (query.cursor !== undefined) {
      decodeIdCursor(query.cursor);
    }
    const lists = this.deps.lists;
    return lists === undefined ? this.load(query) : lists.read(BOOKINGS_LIST, query, () => this.load(query));
  }

  private async load(query: AdminBookingListQuery): Promise<ScatterPage<AdminBooking>> {
    if (query.ref !== undefined) {
      const found = await this.byRef(query.ref);
      const matches =
        found !== undefined &&
        (query.status === undefined || found.status === query.status) &&
        (query.customerId === undefined || found.customer_id === query.customerId) &&
        (query.driverId === undefined || found.driver_id === query.driverId);
      return { items: await this.named(matches ? [found] : []), nextCursor: null };
    }
    // One customer's bookings live on the customer's shard alone.
    const shards =
      query.customerId === undefined ? this.deps.router.shards : [this.deps.router.forId(query.customerId)];
    const page = await scatterGather({
      shards,
      limit: query.limit ?? 20,
      cursor: query.cursor ?? null,
      keyArity: 1,
      keyOf: (row: BookingRow) => [row.id],
      compare: (a, b) => compareIds(String(b[0]), String(a[0])),
      fetch: (shard, after, limit) =>
        this.deps.bookings.listPage(shard, {
          status: query.status,
          customerId: query.customerId,
          driverId: query.driverId,
          beforeId: after === null ? null : String(after[0]),
          limit,
        }),
    });
    return { items: await this.named(page.items), nextCursor: page.nextCursor };
  }

  /**
   * The booking a typed reference names: a live code on the shard of the
   * logical shard it carries, a generated one on whichever shard has it, a
   * fallback code by the ID it spells; undefined when none does.
   */
  private async byRef(typed: string): Promise<BookingRow | undefined> {
    const ref = normalizeBookingRef(typed);
    if (ref === null) {
      return undefined;
    }
    const { router, bookings } = this.deps;
    const id = idOfFallbackRef(ref);
    if (id !== null) {
      return bookings.findById(router.forId(id).db, id);
    }
    const value = decodeBookingRef(ref);
    if (value === null) {
      return undefined;
    }
    if (value.kind === 'live') {
      return bookings.findByRef(router.forLogical(value.logicalShard).db, ref);
    }
    const found = await Promise.all(router.shards.map((shard) => bookings.findByRef(shard.db, ref)));
    return found.find((row) => row !== undefined);
  }

  /**
   * The page's bookings with their stops and customers' names (on the booking's
   * shard) and drivers' names (on theirs).
   */
  private async named(rows: readonly BookingRow[]): Promise<AdminBooking[]> {
    const { router, users } = this.deps;
    const byShard = (ids: Iterable<string>): Map<Shard, Set<string>> => {
      const grouped = new Map<Shard, Set<string>>();
      for (const id of ids) {
        const shard = router.forId(id);
        grouped.set(shard, (grouped.get(shard) ?? new Set()).add(id));
      }
      return grouped;
    };
    const people = rows.flatMap((row) =>
      row.driver_id === null ? [row.customer_id] : [row.customer_id, row.driver_id],
    );
    const names = new Map<string, string>();
    const stops = new Map<string, BookingStopRow[]>();
    await Promise.all([
      ...[...byShard(people)].map(async ([shard, ids]) => {
        for (const [id, name] of await users.names(shard.db, [...ids])) {
          names.set(id, name);
        }
      }),
      ...[...byShard(rows.map((row) => row.id))].map(async ([shard, ids]) => {
        for (const [id, bookingStops] of await this.stops.forBookings(shard.db, [...ids])) {
          stops.set(id, bookingStops);
        }
      }),
    ]);
    return rows.map((row) => {
      const booking: Booking = presentBookingWithStops(row, stops.get(row.id) ?? []);
      return {
        ...booking,
        customerName: names.get(row.customer_id) ?? 'Unknown customer',
        driverName: row.driver_id === null ? null : (names.get(row.driver_id) ?? 'Unknown driver'),
      };
    });
  }
}
