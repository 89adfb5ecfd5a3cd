import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { bearer, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { availableDriversSet } from './available-drivers';

describe(`a location ping beyond the geo index's latitudes (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('polarping', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a driver ping at latitude 89.9 is stored as last known but kept out of the geo index, online or not', async () => {
    const { token, user } = await signUp(app, driverSignup());
    const ping = (lat: number) =>
      app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(token),
        payload: { lat, lng: 77.5946 },
      });

    const offline = await ping(89.9);
    expect({ status: offline.statusCode, body: offline.json<unknown>() }).toEqual({
      status: 202,
      body: { accepted: true },
    });
    const online = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(token),
      payload: { online: true },
    });
    expect({ status: online.statusCode, body: online.json<unknown>() }).toEqual({
      status: 200,
      body: { online: true },
    });
    const again = await ping(89.9);
    expect(again.statusCode).toBe(202);
    expect(await app.platform.geo.position(availableDriversSet('van'), user.id)).toBeNull();
    expect(await app.services.drivers.presence.liveLocation(user.id)).toMatchObject({
      lat: 89.9,
      lng: 77.5946,
    });

    // Back in range, the driver is matchable again.
    expect((await ping(12.9716)).statusCode).toBe(202);
    const position = await app.platform.geo.position(availableDriversSet('van'), user.id);
    expect(position?.lat).toBeCloseTo(12.9716, 5);

    // A restart rebuilds the geo index from SQL; a stored polar position must not stop it.
    expect((await ping(89.9)).statusCode).toBe(202);
    await app.close();
    app = await env.start();
    expect(await app.platform.geo.position(availableDriversSet('van'), user.id)).toBeNull();
    expect(await app.services.drivers.presence.liveLocation(user.id)).toMatchObject({ lat: 89.9 });
  });
});
