import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, LocationUpdate } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { availableDriversSet } from './available-drivers';

const CITY = { lat: 12.9716, lng: 77.5946 };

/** The location ping as one step of the live state (ADR 0026): what it keeps true around it. */
describe(`the location ping step (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('pingstep', { env: { AUTH_RATE_LIMIT_IP: '1000/60' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function onlineDriver(): Promise<AuthResponse> {
    const driver = await signUp(app, driverSignup());
    const online = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(driver.token),
      payload: { online: true },
    });
    expect(online.statusCode).toBe(200);
    return driver;
  }

  async function ping(token: string, payload: LocationUpdate) {
    return app.http.inject({ method: 'POST', url: '/v1/driver/location', headers: bearer(token), payload });
  }

  async function indexedLat(driverId: string): Promise<number | null> {
    return (await app.platform.geo.position(availableDriversSet('van'), driverId))?.lat ?? null;
  }

  it('after its cached facts are gone, a ping reloads them from SQL, indexes the driver, and counts once', async () => {
    const { token, user } = await onlineDriver();
    expect((await ping(token, CITY)).statusCode).toBe(202);
    await app.platform.live.forgetFacts(user.id);
    await app.platform.geo.remove(availableDriversSet('van'), user.id);

    const statuses: number[] = [];
    for (let index = 1; index <= 9; index += 1) {
      statuses.push((await ping(token, { lat: CITY.lat + index * 0.001, lng: CITY.lng })).statusCode);
    }
    // The first ping of the window plus these nine: ten, the limit. The reloading ping counted once.
    expect(statuses).toEqual(Array.from({ length: 9 }, () => 202));
    expect(await indexedLat(user.id)).toBeCloseTo(CITY.lat + 0.009, 5);
    expect(JSON.parse((await app.platform.live.readFacts(user.id)) ?? 'null')).toEqual({
      vehicleType: 'van',
      online: true,
      suspended: false,
      activeJob: null,
    });
    expect((await ping(token, CITY)).statusCode).toBe(429);
  });

  it('pings racing "go offline" never leave the driver in the available set', async () => {
    const { token, user } = await onlineDriver();
    expect((await ping(token, CITY)).statusCode).toBe(202);
    const offline = app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(token),
      payload: { online: false },
    });
    const pings = Array.from({ length: 8 }, (_, index) =>
      ping(token, { lat: CITY.lat + index * 0.0001, lng: CITY.lng }),
    );
    const [answer, ...answers] = await Promise.all([offline, ...pings]);
    expect(answer.statusCode).toBe(200);
    expect(answers.map((response) => response.statusCode)).toEqual(Array.from({ length: 8 }, () => 202));
    expect(await indexedLat(user.id)).toBeNull();
    // And pings after it keep the driver out.
    expect((await ping(token, { lat: CITY.lat + 0.01, lng: CITY.lng })).statusCode).toBe(202);
    expect(await indexedLat(user.id)).toBeNull();
  });

  it('a driver on a trip is kept out of the set by its pings, and the admin map shows it busy', async () => {
    const { token, user } = await onlineDriver();
    expect((await ping(token, CITY)).statusCode).toBe(202);
    expect(await indexedLat(user.id)).toBeCloseTo(CITY.lat, 5);
    await app.services.drivers.presence.setActiveTrip(user.id, { bookingId: '1', customerId: '2' });
    expect(await indexedLat(user.id)).toBeNull();

    expect((await ping(token, { lat: CITY.lat + 0.02, lng: CITY.lng })).json()).toEqual({ accepted: true });
    expect(await indexedLat(user.id)).toBeNull();
    const entry = (await app.platform.fleet.all()).find((driver) => driver.id === user.id);
    expect(entry).toEqual({
      id: user.id,
      lat: CITY.lat + 0.02,
      lng: CITY.lng,
      status: 'busy',
      vehicleType: 'van',
    });
  });
});
