import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import {
  CITY,
  book,
  newCustomer,
  offersOf,
  offset,
  onlineDriver,
  waitForOffer,
} from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';

describe(`dispatch skips drivers with stale positions (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('freshness', {
      env: { RATE_LIMITS: 'off', DISPATCH_MAX_POSITION_AGE_SECONDS: '60', DISPATCH_OFFERS_PER_WAVE: '1' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('offers the nearest driver whose app still reports, and the silent one again once it reports', async () => {
    // The nearest driver's last position is five minutes old: its app may be gone.
    const silent = await onlineDriver(app, { at: offset(CITY, 0.2), positionAgeSeconds: 300 });
    const reporting = await onlineDriver(app, { at: offset(CITY, 1.5) });
    const customer = await newCustomer(app);

    const first = await book(app, customer.token, { pickup: CITY });
    await waitForOffer(app, reporting.token, first.id);
    expect(await offersOf(app, silent.token)).toEqual([]);

    // A fresh position makes it the nearest candidate again.
    const located = await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(silent.token),
      payload: { lat: offset(CITY, 0.2).lat, lng: offset(CITY, 0.2).lng },
    });
    expect(located.statusCode).toBe(202);
    const second = await book(app, customer.token, { pickup: CITY });
    await waitForOffer(app, silent.token, second.id);
  });
});
