import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, LocationUpdate, MeResponse } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { encodeCursor } from '../../platform/db/scatter';
import type { Shard } from '../../platform/db/shard-pool';
import { availableDriversSet } from './available-drivers';
import { bearer, customerSignup, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import type { DriversModule } from './drivers.module';
import { DriversRepository, type StoredPosition } from './drivers.repository';

const CITY = { lat: 12.9716, lng: 77.5946 };

describe(`drivers (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  /** A second instance on the app's platform: reads the same cache, geo index and shards. */
  let drivers: DriversModule;

  beforeAll(async () => {
    // Rate limits stay on (the location limit is under test); signups from one address need room.
    env = await TestEnvironment.create('drivers', {
      env: { AUTH_RATE_LIMIT_IP: '1000/60', LAST_POSITION_FLUSH_MS: '200' },
    });
    clock = new ManualClock(Date.now());
    app = await env.start({ clock });
    drivers = app.services.drivers;
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function newDriver(): Promise<AuthResponse> {
    return signUp(app, driverSignup());
  }

  async function setOnline(token: string, online: boolean) {
    return app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(token),
      payload: { online },
    });
  }

  async function ping(token: string, payload: LocationUpdate) {
    return app.http.inject({ method: 'POST', url: '/v1/driver/location', headers: bearer(token), payload });
  }

  async function availableVans(): Promise<string[]> {
    const hits = await app.platform.geo.nearby(availableDriversSet('van'), CITY, 20, 1000);
    return hits.map((hit) => hit.member);
  }

  it('a driver online with a known position is in its vehicle type set, and leaves it going offline', async () => {
    const { user, token } = await newDriver();
    const located = await ping(token, CITY);
    expect(located.statusCode).toBe(202);
    expect(located.json()).toEqual({ accepted: true });
    expect(await availableVans()).not.toContain(user.id);

    const online = await setOnline(token, true);
    expect(online.statusCode).toBe(200);
    expect(online.json()).toEqual({ online: true });
    expect(await availableVans()).toContain(user.id);
    expect(await app.platform.geo.position(availableDriversSet('bike'), user.id)).toBeNull();
    const me = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(me.json<MeResponse>().user.driver?.online).toBe(true);

    const offline = await setOnline(token, false);
    expect(offline.json()).toEqual({ online: false });
    expect(await availableVans()).not.toContain(user.id);
  });

  it('an online driver without any position joins the set with its first ping', async () => {
    const { user, token } = await newDriver();
    await setOnline(token, true);
    expect(await availableVans()).not.toContain(user.id);

    await ping(token, { lat: CITY.lat + 0.01, lng: CITY.lng });
    const position = await app.platform.geo.position(availableDriversSet('van'), user.id);
    expect(position?.lat).toBeCloseTo(CITY.lat + 0.01, 5);
    expect(position?.lng).toBeCloseTo(CITY.lng, 5);
  });

  it('a suspended driver cannot go online: 403 driver_suspended, and stays out of the set', async () => {
    const { user, token } = await newDriver();
    await ping(token, CITY);
    // Suspension normally revokes the sessions too; flag it alone to reach the rule behind them.
    await app.platform.router
      .forId(user.id)
      .db.updateTable('drivers')
      .set({ suspended: 1 })
      .where('user_id', '=', user.id)
      .execute();

    const response = await setOnline(token, true);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: { code: 'driver_suspended', message: 'This driver is suspended and cannot go online.' },
    });
    expect(await availableVans()).not.toContain(user.id);
  });

  it('a suspension through the admin service revokes the sessions: 401 afterwards', async () => {
    const { user, token } = await newDriver();
    await ping(token, CITY);
    await setOnline(token, true);
    expect(await availableVans()).toContain(user.id);

    await drivers.fleetAdmin.setSuspended(user.id, true);
    const response = await setOnline(token, true);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    expect(await availableVans()).not.toContain(user.id);
  });

  it('stores an accepted position as the live one, with its own time', async () => {
    const { user, token } = await newDriver();
    const at = clock.now() - 2000;
    const response = await ping(token, {
      lat: 12.95,
      lng: 77.6,
      heading: 182.5,
      speedKmh: 31,
      at: new Date(at).toISOString(),
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: true });
    expect(await drivers.presence.liveLocation(user.id)).toEqual({
      lat: 12.95,
      lng: 77.6,
      heading: 182.5,
      speedKmh: 31,
      at,
    });
  });

  it('at defaults to the server clock', async () => {
    const { user, token } = await newDriver();
    await ping(token, CITY);
    expect(await drivers.presence.liveLocation(user.id)).toEqual({
      ...CITY,
      heading: null,
      speedKmh: null,
      at: clock.now(),
    });
  });

  it('at two minutes ahead is 400 validation_failed; 59 seconds ahead is accepted', async () => {
    const { token } = await newDriver();
    const ahead = await ping(token, { ...CITY, at: new Date(clock.now() + 120_000).toISOString() });
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json()).toMatchObject({ error: { code: 'validation_failed', details: { field: 'at' } } });

    const nearlyAhead = await ping(token, { ...CITY, at: new Date(clock.now() + 59_000).toISOString() });
    expect(nearlyAhead.statusCode).toBe(202);
  });

  it('an older position is answered { accepted: false } and does not overwrite the newer one', async () => {
    const { user, token } = await newDriver();
    const newer = clock.now() - 1000;
    await ping(token, { lat: 12.9, lng: 77.5, at: new Date(newer).toISOString() });

    const late = await ping(token, { lat: 13.1, lng: 77.7, at: new Date(newer - 5000).toISOString() });
    expect(late.statusCode).toBe(202);
    expect(late.json()).toEqual({ accepted: false });
    expect(await drivers.presence.liveLocation(user.id)).toEqual({
      lat: 12.9,
      lng: 77.5,
      heading: null,
      speedKmh: null,
      at: newer,
    });
  });

  it('the 11th update in one second is 429 rate_limited with Retry-After', async () => {
    const { token } = await newDriver();
    const statuses: number[] = [];
    for (let index = 0; index < 10; index += 1) {
      statuses.push((await ping(token, { lat: CITY.lat + index * 0.0001, lng: CITY.lng })).statusCode);
    }
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 202));

    const eleventh = await ping(token, CITY);
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.headers['retry-after']).toBe('1');
    expect(eleventh.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it("an offline driver's position is kept as last known, in SQL too, but does not make it available", async () => {
    const { user, token } = await newDriver();
    const at = clock.now();
    await ping(token, { lat: 12.99, lng: 77.61, heading: 45, at: new Date(at).toISOString() });

    expect(await availableVans()).not.toContain(user.id);
    expect(await drivers.presence.liveLocation(user.id)).toEqual({
      lat: 12.99,
      lng: 77.61,
      heading: 45,
      speedKmh: null,
      at,
    });
    const db = app.platform.router.forId(user.id).db;
    const stored = async () =>
      db
        .selectFrom('drivers')
        .select(['last_lat', 'last_lng', 'last_heading', 'last_seen_at'])
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
    await waitFor(async () => (await stored()).last_seen_at === at);
    expect(await stored()).toEqual({ last_lat: 12.99, last_lng: 77.61, last_heading: 45, last_seen_at: at });
  });

  it('a batch of last positions writes each driver its own row, never over a newer stored one', async () => {
    // Six drivers on at most four shards: some shard gets a statement of several rows.
    const ids = (await Promise.all(Array.from({ length: 6 }, () => newDriver()))).map(({ user }) => user.id);
    const repository = new DriversRepository();
    type Entry = readonly [string, StoredPosition];
    const writeByShard = async (entries: readonly Entry[]) => {
      const byShard = new Map<Shard, Entry[]>();
      for (const entry of entries) {
        const shard = app.platform.router.forId(entry[0]);
        byShard.set(shard, [...(byShard.get(shard) ?? []), entry]);
      }
      for (const [shard, rows] of byShard) {
        await repository.updateLastPositions(shard.db, rows);
      }
    };
    const stored = async (id: string) =>
      app.platform.router
        .forId(id)
        .db.selectFrom('drivers')
        .select(['last_lat', 'last_lng', 'last_heading', 'last_seen_at'])
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow();

    await writeByShard(
      ids.map((id, i) => [id, { lat: 10 + i, lng: 70 + i, heading: i, at: 5_000 }] as const),
    );
    // Even drivers get a newer position, odd ones an older one (which changes nothing).
    await writeByShard(
      ids.map(
        (id, i) =>
          [id, { lat: 20 + i, lng: 80 + i, heading: null, at: i % 2 === 0 ? 6_000 : 4_000 }] as const,
      ),
    );

    for (const [i, id] of ids.entries()) {
      expect(await stored(id)).toEqual(
        i % 2 === 0
          ? { last_lat: 20 + i, last_lng: 80 + i, last_heading: null, last_seen_at: 6_000 }
          : { last_lat: 10 + i, last_lng: 70 + i, last_heading: i, last_seen_at: 5_000 },
      );
    }

    // Values go into the statement's text: anything but a decimal ID or a finite number is refused, and nothing is written.
    const first = ids[0] ?? '';
    const db = app.platform.router.forId(first).db;
    const before = await stored(first);
    await expect(
      repository.updateLastPositions(db, [[`${first} or 1=1`, { lat: 1, lng: 2, heading: 3, at: 9_000 }]]),
    ).rejects.toThrow(RangeError);
    await expect(
      repository.updateLastPositions(db, [[first, { lat: Number.NaN, lng: 2, heading: 3, at: 9_000 }]]),
    ).rejects.toThrow(RangeError);
    expect(await stored(first)).toEqual(before);
  });

  it('a customer calling driver routes gets 403 forbidden, and no token gets 401', async () => {
    const { token } = await signUp(app, customerSignup());
    const requests = [
      { method: 'PUT' as const, url: '/v1/driver/availability', payload: { online: true } },
      { method: 'POST' as const, url: '/v1/driver/location', payload: CITY },
      { method: 'GET' as const, url: '/v1/driver/jobs' },
      { method: 'GET' as const, url: '/v1/driver/stats' },
    ];
    for (const request of requests) {
      const asCustomer = await app.http.inject({ ...request, headers: bearer(token) });
      expect(asCustomer.statusCode).toBe(403);
      expect(asCustomer.json()).toMatchObject({ error: { code: 'forbidden' } });
      const anonymous = await app.http.inject(request);
      expect(anonymous.statusCode).toBe(401);
    }
  });

  it('a malformed location or cursor is 400 validation_failed', async () => {
    const { token } = await newDriver();
    for (const payload of [
      { lat: 91, lng: 0 },
      { lat: 0, lng: 0, heading: 400 },
      { lat: '12', lng: 77 },
      { lat: 1, lng: 2, extra: 1 },
    ]) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(token),
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const trips = await app.http.inject({
      method: 'GET',
      url: '/v1/driver/jobs?cursor=not-a-cursor',
      headers: bearer(token),
    });
    expect(trips.statusCode).toBe(400);
    expect(trips.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('a trip cursor that is not an assignment time and a booking ID is 400 on the cursor', async () => {
    const { token } = await newDriver();
    for (const key of [[1, 'abc'], [1, '0'], [1, '9223372036854775808'], ['1', '1'], [1, 1], [1]]) {
      const response = await app.http.inject({
        method: 'GET',
        url: `/v1/driver/jobs?cursor=${encodeCursor(key)}`,
        headers: bearer(token),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: { code: 'validation_failed', details: { field: 'cursor' } },
      });
    }
  });

  it('a new driver has an empty trip list and zero stats', async () => {
    const { token } = await newDriver();
    const trips = await app.http.inject({ method: 'GET', url: '/v1/driver/jobs', headers: bearer(token) });
    expect(trips.statusCode).toBe(200);
    expect(trips.json()).toEqual({ items: [], nextCursor: null });
    const stats = await app.http.inject({ method: 'GET', url: '/v1/driver/stats', headers: bearer(token) });
    expect(stats.json()).toEqual({
      trips: 0,
      earnings: { amount: 0, currency: 'INR' },
      acceptanceRate: null,
      rating: null,
      ratingCount: 0,
    });
  });

  it('documents the driver routes in the OpenAPI document', async () => {
    const spec = (await app.http.inject({ url: '/openapi.json' })).json<{
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses: Record<string, unknown> }>
      >;
    }>();
    expect(spec.paths['/v1/driver/location']?.post?.tags).toEqual(['driver']);
    expect(Object.keys(spec.paths['/v1/driver/location']?.post?.responses ?? {})).toContain('202');
    for (const path of ['/v1/driver/availability', '/v1/driver/jobs', '/v1/driver/stats']) {
      const operations = Object.values(spec.paths[path] ?? {});
      expect(operations).toHaveLength(1);
      expect(operations[0]?.summary).toEqual(expect.any(String));
    }
  });

  // Last: it restarts the server.
  it('after a restart the available set is rebuilt from SQL', async () => {
    const { user, token } = await newDriver();
    await ping(token, { lat: 12.98, lng: 77.59 });
    await setOnline(token, true);
    // The set is a copy: lose it, as embedded mode does on every restart.
    await app.platform.geo.remove(availableDriversSet('van'), user.id);
    await app.close();

    app = await env.start({ clock });
    const position = await app.platform.geo.position(availableDriversSet('van'), user.id);
    expect(position?.lat).toBeCloseTo(12.98, 5);
    expect(position?.lng).toBeCloseTo(77.59, 5);
  });
});
