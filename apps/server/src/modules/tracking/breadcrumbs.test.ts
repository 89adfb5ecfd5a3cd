import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { BreadcrumbsRepository } from './breadcrumbs.repository';

describe(`breadcrumbs and last positions reach SQL in batches (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('crumbs', {
      env: { RATE_LIMITS: 'off', LAST_POSITION_FLUSH_MS: '200' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a trip keeps every accepted ping as a breadcrumb and the driver row keeps the newest position', async () => {
    const pickup = offset(CITY, 1100);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: pickup });
    const idle = await onlineDriver(app, { at: offset(pickup, 50) });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });

    const start = Date.now() + 1000;
    const points = Array.from({ length: 6 }, (_, index) => ({
      ...offset(pickup, index * 0.1),
      at: new Date(start + index * 1000).toISOString(),
    }));
    for (const point of points) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(driver.token),
        payload: point,
      });
      expect(response.statusCode).toBe(202);
    }
    // A late, older ping is not a new breadcrumb and does not move the driver back.
    await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(driver.token),
      payload: { ...pickup, at: new Date(start - 5000).toISOString() },
    });
    await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(idle.token),
      payload: { ...offset(pickup, 51), speedKmh: 20 },
    });

    const shard = app.platform.router.forId(booking.id);
    const repository = new BreadcrumbsRepository();
    await waitFor(
      async () => (await repository.forBooking(shard.db, booking.id)).length === points.length,
      10_000,
    );
    const crumbs = await repository.forBooking(shard.db, booking.id);
    expect(crumbs.map((crumb) => [crumb.at, crumb.lat, crumb.driver_id])).toEqual(
      points.map((point) => [Date.parse(point.at), point.lat, driver.user.id]),
    );

    const last = points[points.length - 1];
    await waitFor(async () => {
      const row = await app.platform.router
        .forId(driver.user.id)
        .db.selectFrom('drivers')
        .select(['last_lat', 'last_seen_at'])
        .where('user_id', '=', driver.user.id)
        .executeTakeFirst();
      return row?.last_seen_at === Date.parse(last?.at ?? '') && row.last_lat === last?.lat;
    }, 10_000);
    const idleLastLat = async () =>
      (
        await app.platform.router
          .forId(idle.user.id)
          .db.selectFrom('drivers')
          .select(['last_lat'])
          .where('user_id', '=', idle.user.id)
          .executeTakeFirst()
      )?.last_lat;
    await waitFor(async () => (await idleLastLat()) === offset(pickup, 51).lat, 10_000);
    expect(await idleLastLat()).toBe(offset(pickup, 51).lat);
    // The idle driver left no breadcrumbs anywhere.
    for (const each of app.platform.router.shards) {
      const stray = await each.db
        .selectFrom('breadcrumbs')
        .select('booking_id')
        .where('driver_id', '=', idle.user.id)
        .execute();
      expect(stray).toEqual([]);
    }
  });
});
