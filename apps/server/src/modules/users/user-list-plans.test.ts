/**
 * The admin user list's pages read one index range each on MariaDB, at a size
 * where a wrong plan shows: its optimizer, left to itself, took an equality
 * lookup that cannot bound the cursor, or intersected two indexes and sorted,
 * reading most of the table for a page (ADR 0039).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Shard } from '../../platform/db/shard-pool';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster } from '../../../test/support/tier';
import { filledShard, measuredRead, newestIdsBefore } from '../../../test/support/query-plans';
import { UsersRepository } from './users.repository';

const ACCOUNTS = 60_000;
const PAGE = 21;
/** Rows a page may examine: its own, once per range it merges (per role or per status) and again where they merge. */
const PAGE_BUDGET = 4 * PAGE;
const FIRST_ID = 10_000_000;

describe.runIf(isCluster)('user list plans at scale (cluster)', () => {
  let env: TestEnvironment;
  let shard: Shard;
  const users = new UsersRepository();

  beforeAll(async () => {
    // Mostly active customers, one in a hundred suspended, one in fifty a driver: the shape of a generated base.
    ({ env, shard } = await filledShard('userplans', {
      table: 'users',
      rows: ACCOUNTS,
      columns: sql`id, email, password_hash, name, phone, role, status, created_at, updated_at`,
      values: sql`${FIRST_ID} + i, concat('plan', i, '@example.com'), 'x', 'Plan', null,
        case when i % 50 = 0 then 'driver' else 'customer' end,
        case when i % 100 = 7 then 'suspended' else 'active' end, 0, 0`,
    }));
  });

  afterAll(async () => {
    await env.destroy();
  });

  const isDriver = (i: number): boolean => i % 50 === 0;
  const isSuspended = (i: number): boolean => i % 100 === 7;
  // Deep in the table: most of it lies after the cursor.
  const cursorI = ACCOUNTS / 10;

  it.each([
    {
      filter: 'a status',
      role: undefined,
      status: 'active' as const,
      wanted: (i: number) => !isSuspended(i),
    },
    {
      filter: 'a role and a status',
      role: 'customer' as const,
      status: 'active' as const,
      wanted: (i: number) => !isDriver(i) && !isSuspended(i),
    },
    {
      filter: 'a role and a rare status',
      role: 'customer' as const,
      status: 'suspended' as const,
      wanted: (i: number) => !isDriver(i) && isSuspended(i),
    },
    { filter: 'a role', role: 'customer' as const, status: undefined, wanted: (i: number) => !isDriver(i) },
  ])(
    'a page by $filter after a deep cursor examines about the page, not the table',
    async ({ role, status, wanted }) => {
      const { result: rows, examined } = await measuredRead(shard, 'users', () =>
        users.listPage(shard, { role, status, beforeId: String(FIRST_ID + cursorI), limit: PAGE }),
      );
      expect(rows.map((row) => BigInt(row.id))).toEqual(newestIdsBefore(FIRST_ID, cursorI, PAGE, wanted));
      expect(examined).toBeLessThanOrEqual(PAGE_BUDGET);
    },
  );
});
