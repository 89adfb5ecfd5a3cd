/**
 * Booking lists read one index range per page on MariaDB, at a size where a
 * wrong plan shows (ADR 0039): a status's page after a deep cursor, a
 * customer's page with a status, a driver's page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Shard } from '../../platform/db/shard-pool';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster } from '../../../test/support/tier';
import { filledShard, measuredRead, newestIdsBefore } from '../../../test/support/query-plans';
import { BookingsRepository, type BookingPageQuery } from './bookings.repository';

const BOOKINGS = 60_000;
const PAGE = 21;
/** Rows a page may examine: its own, and those of its range the filters beside the index skip. */
const PAGE_BUDGET = 4 * PAGE;
const FIRST_ID = 20_000_000;
/** Ten customers and fifty drivers share the bookings, round robin. */
const CUSTOMERS = 10;
const DRIVERS = 50;
const FIRST_CUSTOMER = 1_000;
const FIRST_DRIVER = 2_000;
/** One booking in five is delivered, one in a hundred cancelled; the rest are searching. */
const statusOf = (i: number): string =>
  i % 100 === 3 ? 'cancelled' : i % 5 === 0 ? 'delivered' : 'searching';

describe.runIf(isCluster)('booking list plans at scale (cluster)', () => {
  let env: TestEnvironment;
  let shard: Shard;
  const bookings = new BookingsRepository();

  beforeAll(async () => {
    ({ env, shard } = await filledShard('bookingplans', {
      table: 'bookings',
      rows: BOOKINGS,
      columns: sql`id, customer_id, driver_id, status, vehicle_type, pickup_lat, pickup_lng, dropoff_lat,
        dropoff_lng, price_amount, currency, distance_km, duration_minutes, surge_multiplier, seq, offered_to,
        created_at, updated_at`,
      values: sql`${FIRST_ID} + i, ${FIRST_CUSTOMER} + i % ${CUSTOMERS}, ${FIRST_DRIVER} + i % ${DRIVERS},
        case when i % 100 = 3 then 'cancelled' when i % 5 = 0 then 'delivered' else 'searching' end,
        'van', 12.97, 77.59, 13.03, 77.64, 10000, 'INR', 10, 30, 1, 1, '[]', 0, 0`,
    }));
  });

  afterAll(async () => {
    await env.destroy();
  });

  // Deep in the table: most of it lies after the cursor.
  const cursorI = BOOKINGS / 10;
  // Nine in ten of this customer's bookings are searching, one in ten cancelled.
  const customer = FIRST_CUSTOMER + 3;
  const driver = FIRST_DRIVER + 7;

  it.each([
    {
      filter: 'a status',
      query: { status: 'searching' as const },
      wanted: (i: number) => statusOf(i) === 'searching',
    },
    {
      filter: 'a rare status',
      query: { status: 'cancelled' as const },
      wanted: (i: number) => statusOf(i) === 'cancelled',
    },
    {
      filter: 'a customer and a status',
      query: { customerId: String(customer), status: 'searching' as const },
      wanted: (i: number) => FIRST_CUSTOMER + (i % CUSTOMERS) === customer && statusOf(i) === 'searching',
    },
    {
      filter: 'a driver',
      query: { driverId: String(driver) },
      wanted: (i: number) => FIRST_DRIVER + (i % DRIVERS) === driver,
    },
  ])(
    'a page by $filter after a deep cursor examines about the page, not the table',
    async ({ query, wanted }) => {
      const page: BookingPageQuery = { ...query, beforeId: String(FIRST_ID + cursorI), limit: PAGE };
      const { result: rows, examined } = await measuredRead(shard, 'bookings', () =>
        bookings.listPage(shard, page),
      );
      expect(rows.map((row) => BigInt(row.id))).toEqual(newestIdsBefore(FIRST_ID, cursorI, PAGE, wanted));
      expect(examined).toBeLessThanOrEqual(PAGE_BUDGET);
    },
  );
});
