import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminDriver, AdminVehicle, AuthResponse, MeResponse } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { compareIds, encodeCursor } from '../../platform/db/scatter';
import { DriverClaimsRepository } from './driver-claims.repository';
import { availableDriversSet } from './available-drivers';
import { bearer, customerSignup, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import type { AdminDriverStatus } from './drivers.repository';

const CITY = { lat: 12.9716, lng: 77.5946 };

interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

describe(`admin fleet (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  let adminToken: string;
  /** Every driver of this file's deployment, with the status the admin list should give it. */
  const fleet = new Map<string, { status: AdminDriverStatus; driver: AuthResponse }>();

  async function addDriver(email: string, status: AdminDriverStatus): Promise<AuthResponse> {
    const driver = await signUp(app, driverSignup({ email }));
    fleet.set(driver.user.id, { status, driver });
    return driver;
  }

  async function send(
    method: 'GET' | 'PATCH' | 'PUT' | 'POST',
    url: string,
    token: string,
    payload?: object,
  ) {
    return app.http.inject({
      method,
      url,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function allPages<T>(url: string, limit: number): Promise<T[][]> {
    const pages: T[][] = [];
    let cursor: string | null = null;
    do {
      const separator = url.includes('?') ? '&' : '?';
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await send('GET', `${url}${separator}limit=${limit}${query}`, adminToken);
      expect(response.statusCode).toBe(200);
      const page = response.json<PageOf<T>>();
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return pages;
  }

  function newestFirst(ids: string[]): string[] {
    return [...ids].sort((a, b) => compareIds(b, a));
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('fleet', { env: { RATE_LIMITS: 'off' } });
    clock = new ManualClock(Date.now());
    app = await env.start({ clock });

    const admin = { email: 'fleet-admin@example.com', password: 'correct horse battery' };
    await app.services.auth.createAccount({ ...admin, name: 'Fleet Admin', role: 'admin' });
    const login = await app.http.inject({ method: 'POST', url: '/v1/auth/login', payload: admin });
    adminToken = login.json<AuthResponse>().token;

    // One driver per physical shard at least, so the lists must gather from all of them.
    const { router } = app.platform;
    const emails: string[] = [];
    const covered = new Set<number>();
    for (let index = 0; covered.size < router.shards.length && index < 500; index += 1) {
      const email = `fleet-driver-${index}@example.com`;
      const shard = router.forKey(`email:${email}`).index;
      if (!covered.has(shard)) {
        covered.add(shard);
        emails.push(email);
      }
    }
    emails.push('fleet-driver-extra-a@example.com', 'fleet-driver-extra-b@example.com');

    const [online, busy, suspended, ...offline] = emails;
    if (online === undefined || busy === undefined || suspended === undefined) {
      throw new Error('too few shards for this test');
    }
    const onlineDriver = await addDriver(online, 'online');
    await send('POST', '/v1/driver/location', onlineDriver.token, {
      ...CITY,
      at: new Date(clock.now()).toISOString(),
    });
    await send('PUT', '/v1/driver/availability', onlineDriver.token, { online: true });

    const busyDriver = await addDriver(busy, 'busy');
    await send('PUT', '/v1/driver/availability', busyDriver.token, { online: true });
    const claims = new DriverClaimsRepository(router);
    await claims.claim(busyDriver.user.id, app.platform.ids.next(router.randomLogical()), clock.now());

    const suspendedDriver = await addDriver(suspended, 'suspended');
    await send('PATCH', `/v1/admin/drivers/${suspendedDriver.user.id}`, adminToken, { suspended: true });

    for (const email of offline) {
      await addDriver(email, 'offline');
    }
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('lists every driver on every shard exactly once, newest first, two at a time', async () => {
    const pages = await allPages<AdminDriver>('/v1/admin/drivers', 2);
    const ids = pages.flat().map((driver) => driver.id);
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    expect(ids).toEqual(newestFirst([...fleet.keys()]));
    expect(new Set(ids.map((id) => app.platform.router.forId(id).index)).size).toBe(
      app.platform.router.shards.length,
    );
  });

  it('presents a driver with its account, vehicle, flags and live position', async () => {
    const [id, entry] = [...fleet.entries()].find(([, value]) => value.status === 'online') ?? [];
    if (id === undefined || entry === undefined) {
      throw new Error('no online driver');
    }
    const me = (await send('GET', '/v1/me', entry.driver.token)).json<MeResponse>().user;
    const listed = (await send('GET', '/v1/admin/drivers?status=online', adminToken)).json<
      PageOf<AdminDriver>
    >();
    expect(listed.items).toEqual([
      {
        id,
        name: me.name,
        email: me.email,
        phone: null,
        vehicle: {
          id: me.driver?.vehicle.id,
          type: 'van',
          plate: me.driver?.vehicle.plate,
          capacityKg: 750,
        },
        online: true,
        suspended: false,
        busy: false,
        lastLocation: { lat: CITY.lat, lng: CITY.lng, at: new Date(clock.now()).toISOString() },
        createdAt: me.createdAt,
      },
    ]);
  });

  it('filters by status; online, busy, suspended and offline partition the fleet', async () => {
    for (const status of ['online', 'busy', 'suspended', 'offline'] as const) {
      const pages = await allPages<AdminDriver>(`/v1/admin/drivers?status=${status}`, 2);
      const expected = [...fleet.entries()].filter(([, entry]) => entry.status === status).map(([id]) => id);
      expect(pages.flat().map((driver) => driver.id)).toEqual(newestFirst(expected));
    }
    const busy = (await send('GET', '/v1/admin/drivers?status=busy', adminToken)).json<PageOf<AdminDriver>>();
    expect(busy.items.map((driver) => [driver.online, driver.busy, driver.suspended])).toEqual([
      [true, true, false],
    ]);
    // A busy driver names the trip it is on, so the fleet map can show it.
    expect(busy.items[0]?.activeBookingId).toMatch(/^\d+$/);
  });

  it('lists every vehicle once, newest first, over every shard, with its driver named', async () => {
    const pages = await allPages<AdminVehicle>('/v1/admin/vehicles', 2);
    const vehicles = pages.flat();
    const drivers = (await allPages<AdminDriver>('/v1/admin/drivers', 100)).flat();
    expect(vehicles.map((vehicle) => vehicle.id)).toEqual(
      newestFirst(drivers.map((driver) => driver.vehicle.id)),
    );
    const first = drivers[0];
    expect(vehicles.find((vehicle) => vehicle.driverId === first?.id)).toEqual({
      id: first?.vehicle.id,
      driverId: first?.id,
      driverName: first?.name,
      type: 'van',
      plate: first?.vehicle.plate,
      capacityKg: 750,
      createdAt: first?.createdAt,
    });
  });

  it('suspending takes the driver offline, suspends the account, revokes its sessions and records one event per change', async () => {
    const driver = await addDriver('fleet-to-suspend@example.com', 'online');
    await send('POST', '/v1/driver/location', driver.token, CITY);
    await send('PUT', '/v1/driver/availability', driver.token, { online: true });
    expect(await app.platform.geo.position(availableDriversSet('van'), driver.user.id)).not.toBeNull();

    const suspended = await send('PATCH', `/v1/admin/drivers/${driver.user.id}`, adminToken, {
      suspended: true,
    });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({
      id: driver.user.id,
      online: false,
      suspended: true,
      busy: false,
    });
    fleet.set(driver.user.id, { status: 'suspended', driver });
    await send('PATCH', `/v1/admin/drivers/${driver.user.id}`, adminToken, { suspended: true });

    expect((await send('GET', '/v1/me', driver.token)).statusCode).toBe(401);
    const login = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'fleet-to-suspend@example.com', password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json()).toMatchObject({ error: { code: 'account_suspended' } });
    expect(await app.platform.geo.position(availableDriversSet('van'), driver.user.id)).toBeNull();

    const lifted = await send('PATCH', `/v1/admin/drivers/${driver.user.id}`, adminToken, {
      suspended: false,
    });
    expect(lifted.json()).toMatchObject({ online: false, suspended: false });
    fleet.set(driver.user.id, { status: 'offline', driver });
    const again = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'fleet-to-suspend@example.com', password: 'correct horse battery' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json<AuthResponse>().user.status).toBe('active');

    const events = await app.platform.router
      .forId(driver.user.id)
      .db.selectFrom('outbox')
      .select(['payload'])
      .where('topic', '=', 'driver.suspension_changed')
      .where('aggregate_id', '=', driver.user.id)
      .orderBy('id')
      .execute();
    expect(events.map((event) => JSON.parse(event.payload) as unknown)).toEqual([
      { driverId: driver.user.id, suspended: true, at: clock.now() },
      { driverId: driver.user.id, suspended: false, at: clock.now() },
    ]);
  });

  it('PATCH on an unknown driver or a customer is 404 not_found', async () => {
    const customer = await signUp(app, customerSignup());
    for (const id of [app.platform.ids.next(7), customer.user.id]) {
      const response = await send('PATCH', `/v1/admin/drivers/${id}`, adminToken, { suspended: true });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'Driver was not found.' } });
    }
    expect((await app.services.auth.me(customer.user.id)).status).toBe('active');
  });

  it('admin routes refuse drivers and customers (403) and anonymous callers (401)', async () => {
    const customer = await signUp(app, customerSignup());
    const [someDriver] = [...fleet.values()];
    const driverToken = (
      await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: someDriver?.driver.user.email, password: 'correct horse battery' },
      })
    ).json<AuthResponse>().token;
    const target = someDriver?.driver.user.id ?? '';
    const requests = [
      { method: 'GET' as const, url: '/v1/admin/drivers' },
      { method: 'PATCH' as const, url: `/v1/admin/drivers/${target}`, payload: { suspended: true } },
      { method: 'GET' as const, url: '/v1/admin/vehicles' },
    ];
    for (const request of requests) {
      for (const token of [customer.token, driverToken]) {
        const response = await app.http.inject({ ...request, headers: bearer(token) });
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ error: { code: 'forbidden' } });
      }
      expect((await app.http.inject(request)).statusCode).toBe(401);
    }
  });

  it('a bad status, limit or cursor is 400 validation_failed', async () => {
    for (const url of [
      '/v1/admin/drivers?status=sleeping',
      '/v1/admin/drivers?limit=0',
      '/v1/admin/drivers?limit=101',
      '/v1/admin/drivers?cursor=bm9wZQ',
      '/v1/admin/vehicles?cursor=WyJhYmMiXQ',
      `/v1/admin/drivers?cursor=${encodeCursor([12])}`,
      `/v1/admin/drivers?cursor=${encodeCursor(['9223372036854775808'])}`,
      `/v1/admin/vehicles?cursor=${encodeCursor(['0'])}`,
      `/v1/admin/vehicles?cursor=${encodeCursor(['1', '2'])}`,
    ]) {
      const response = await send('GET', url, adminToken);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});
