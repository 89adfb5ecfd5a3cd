import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminUser, GenerationJob } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { BAD_CURSOR, forgedCursors } from '../../../test/support/cursors';
import { bearer, customerSignup, driverSignup, signInAdmin, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { compareIds } from '../../platform/db/scatter';

interface UserPage {
  items: AdminUser[];
  nextCursor: string | null;
}

describe(`admin users list (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('admin-users', {
      env: { RATE_LIMITS: 'off', GENERATION_CHUNK_SIZE: '100', GENERATION_CONCURRENCY: '1' },
    });
    app = await env.start();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function list(query: string): Promise<UserPage> {
    const response = await app.http.inject({ url: `/v1/admin/users?${query}`, headers: bearer(admin) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<UserPage>();
  }

  async function generateUsers(count: number): Promise<string> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      headers: bearer(admin),
      payload: { entity: 'users', count },
    });
    expect(response.statusCode).toBe(202);
    return response.json<{ jobId: string }>().jobId;
  }

  async function finished(jobId: string): Promise<void> {
    await waitFor(
      async () =>
        (
          await app.http.inject({ url: `/v1/admin/jobs/${jobId}`, headers: bearer(admin) })
        ).json<GenerationJob>().state === 'completed',
      60_000,
      50,
    );
  }

  async function allIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const shard of app.platform.router.shards) {
      const rows = await shard.db.selectFrom('users').select('id').execute();
      ids.push(...rows.map((row) => row.id));
    }
    return ids;
  }

  it('pages over every shard newest first, each row once, while rows are being inserted', async () => {
    await finished(await generateUsers(1_200));
    const existing = await allIds();
    const shardsHolding = app.platform.router.shards.length;
    expect(shardsHolding).toBeGreaterThanOrEqual(3);

    // More rows arrive while the pages are read: generated ones (spread over past dates, so
    // anywhere in the order) and live signups (newest).
    const inserting = await generateUsers(1_500);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: UserPage = await list(`limit=37${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.items.map((user) => user.id));
      cursor = page.nextCursor;
      pages += 1;
      if (pages % 5 === 0) {
        await signUp(app, customerSignup());
      }
    } while (cursor !== null);
    await finished(inserting);

    // Strictly newest first: no repeats, no going back.
    for (let index = 1; index < seen.length; index += 1) {
      expect(compareIds(seen[index - 1] ?? '', seen[index] ?? '')).toBeGreaterThan(0);
    }
    // Every row that existed before the first page is on exactly one page.
    const once = new Set(seen);
    expect(once.size).toBe(seen.length);
    for (const id of existing) {
      expect(once.has(id)).toBe(true);
    }
    // The pages drew on every shard.
    const shards = new Set(seen.map((id) => app.platform.router.forId(id).index));
    expect(shards.size).toBe(shardsHolding);
  });

  it('serves small page numbers like the matching cursor page', async () => {
    const first = await list('limit=25');
    const second = await list(`limit=25&cursor=${first.nextCursor ?? ''}`);
    const third = await list(`limit=25&cursor=${second.nextCursor ?? ''}`);
    const page3 = await list('limit=25&page=3');
    expect(page3.items.map((user) => user.id)).toEqual(third.items.map((user) => user.id));
    expect(page3.nextCursor).toBe(third.nextCursor);
    expect((await list('limit=25&page=1')).items).toEqual(first.items);
  });

  it('filters by role and status', async () => {
    const admins = await list('role=admin');
    expect(admins.items.map((user) => user.email)).toEqual(['ops@example.com']);
    const suspended = await list('status=suspended&limit=100');
    expect(suspended.items.length).toBeGreaterThan(0);
    for (const user of suspended.items) {
      expect(user.status).toBe('suspended');
    }
    const customers = await list('role=customer&status=active&limit=100');
    for (const user of customers.items) {
      expect(user).toMatchObject({ role: 'customer', status: 'active' });
    }
  });

  it('pages a role, a status, and both, newest first over every shard, each account once', async () => {
    // Drivers, one suspended, so a status's pages merge its accounts of every role.
    const drivers = await Promise.all([1, 2, 3].map(() => signUp(app, driverSignup())));
    const suspendedDriver = drivers[0]?.user.id ?? '';
    const suspension = await app.http.inject({
      method: 'PATCH',
      url: `/v1/admin/drivers/${suspendedDriver}`,
      headers: bearer(admin),
      payload: { suspended: true },
    });
    expect(suspension.statusCode, suspension.body).toBe(200);
    const rows = (
      await Promise.all(
        app.platform.router.shards.map((shard) =>
          shard.db.selectFrom('users').select(['id', 'role', 'status']).execute(),
        ),
      )
    ).flat();
    const newestFirst = (wanted: (row: (typeof rows)[number]) => boolean): string[] =>
      rows
        .filter(wanted)
        .map((row) => row.id)
        .sort((a, b) => compareIds(b, a));
    const pages = async (query: string): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: UserPage = await list(`${query}&limit=40${cursor === null ? '' : `&cursor=${cursor}`}`);
        ids.push(...page.items.map((user) => user.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return ids;
    };
    const customers = newestFirst((row) => row.role === 'customer');
    // A role alone merges its accounts of every status.
    expect(new Set(rows.filter((row) => row.role === 'customer').map((row) => row.status))).toEqual(
      new Set(['active', 'suspended']),
    );
    expect(await pages('role=customer')).toEqual(customers);
    expect(await pages('role=customer&status=suspended')).toEqual(
      newestFirst((row) => row.role === 'customer' && row.status === 'suspended'),
    );
    // A status alone merges its accounts of every role.
    for (const status of ['active', 'suspended'] as const) {
      expect(new Set(rows.filter((row) => row.status === status).map((row) => row.role))).toEqual(
        new Set(status === 'active' ? ['customer', 'driver', 'admin'] : ['customer', 'driver']),
      );
      expect(await pages(`status=${status}`)).toEqual(newestFirst((row) => row.status === status));
    }
  });

  it('finds the account with an exact email, in any letter case', async () => {
    const created = await signUp(app, customerSignup({ email: 'Find.Me@Example.com' }));
    const found = await list('email=FIND.me%40example.com');
    expect(found.items.map((user) => user.id)).toEqual([created.user.id]);
    expect(found.nextCursor).toBeNull();
    expect((await list('email=find.me%40example.com&role=driver')).items).toEqual([]);
    expect((await list('email=nobody%40example.com')).items).toEqual([]);
  });

  it('is served from the cache until an account is written', async () => {
    const before = await list('limit=5');
    // A row written behind the service's back is not seen while the page is cached...
    const shard = app.platform.router.forId(before.items[0]?.id ?? '');
    await shard.db
      .updateTable('users')
      .set({ name: 'Renamed Directly' })
      .where('id', '=', before.items[0]?.id ?? '')
      .execute();
    expect((await list('limit=5')).items[0]?.name).toBe(before.items[0]?.name);
    // ...and a signup drops the cached pages: the new account leads the next read.
    const created = await signUp(app, customerSignup());
    const after = await list('limit=5');
    expect(after.items[0]?.id).toBe(created.user.id);
    expect(after.items[1]?.name).toBe('Renamed Directly');
  });

  it('a cursor the server did not issue is 400 validation_failed; a real one pages', async () => {
    for (let index = 0; index < 4; index += 1) {
      await signUp(app, customerSignup());
    }
    const first = await list('limit=2');
    const second = await list(`limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((user) => user.id)).toEqual(
      (await list('limit=2&page=2')).items.map((user) => user.id),
    );
    const realId = first.items[1]?.id ?? '';
    expect(realId).not.toBe('');

    for (const filter of ['', 'role=customer&', 'status=active&', 'email=ops%40example.com&']) {
      for (const cursor of forgedCursors(realId)) {
        const response = await app.http.inject({
          url: `/v1/admin/users?${filter}limit=2&cursor=${cursor}`,
          headers: bearer(admin),
        });
        expect(response.statusCode, `${filter}${cursor}`).toBe(400);
        expect(response.json(), `${filter}${cursor}`).toEqual(BAD_CURSOR);
      }
    }
  });

  it('refuses bad queries and non-admins', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'page=0',
      'page=51',
      'cursor=%21%21',
      'role=pilot',
      'page=2&cursor=abc',
    ]) {
      const response = await app.http.inject({ url: `/v1/admin/users?${query}`, headers: bearer(admin) });
      expect(response.statusCode, query).toBe(400);
    }
    const customer = await signUp(app, customerSignup());
    const forbidden = await app.http.inject({ url: '/v1/admin/users', headers: bearer(customer.token) });
    expect(forbidden.statusCode).toBe(403);
  });
});
