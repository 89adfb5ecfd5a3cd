import { Booking, Page, type BookingListQuery } from '@loadline/contracts';
import { CachedList, type ListCache } from '../../platform/cache/list-cache';
import { compareIds, scatterGather, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import { presentBooking } from './bookings.presenter';
import type { BookingRow, BookingsRepository } from './bookings.repository';

/** The admin bookings list's cached pages; every booking write drops them. */
export const BOOKINGS_LIST = new CachedList('bookings', 30, Page(Booking));

/** Every booking across shards, newest first, for admins: pages merged from every shard, cached until a write. */
export class AdminBookingsService {
  constructor(
    private readonly deps: {
      router: ShardRouter;
      bookings: BookingsRepository;
      lists?: ListCache | undefined;
    },
  ) {}

  async list(query: BookingListQuery): Promise<ScatterPage<Booking>> {
    const lists = this.deps.lists;
    return lists === undefined ? this.load(query) : lists.read(BOOKINGS_LIST, query, () => this.load(query));
  }

  private async load(query: BookingListQuery): Promise<ScatterPage<Booking>> {
    const page = await scatterGather({
      shards: this.deps.router.shards,
      limit: query.limit ?? 20,
      cursor: query.cursor ?? null,
      keyArity: 1,
      keyOf: (row: BookingRow) => [row.id],
      compare: (a, b) => compareIds(String(b[0]), String(a[0])),
      fetch: (shard, after, limit) =>
        this.deps.bookings.listForAdmin(shard.db, {
          status: query.status,
          beforeId: after === null ? null : String(after[0]),
          limit,
        }),
    });
    return { items: page.items.map(presentBooking), nextCursor: page.nextCursor };
  }
}
