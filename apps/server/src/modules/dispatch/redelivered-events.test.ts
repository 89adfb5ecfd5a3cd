import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingStatus } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { OUTBOX_JOB, outboxJobData } from '../../platform/outbox/outbox';
import { drained } from '../../../test/support/drained';
import { bearer } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';

/** What the outbox consumers write, on every shard, in a stable order. */
async function consumerState(app: LoadlineApp) {
  return Promise.all(
    app.platform.pool.shards.map(async ({ db }) => ({
      bookings: await db.selectFrom('bookings').selectAll().orderBy('id').execute(),
      events: await db
        .selectFrom('booking_events')
        .selectAll()
        .orderBy('booking_id')
        .orderBy('seq')
        .execute(),
      offers: await db.selectFrom('offers').selectAll().orderBy('driver_id').orderBy('booking_id').execute(),
      notifications: await db.selectFrom('notifications').selectAll().orderBy('id').execute(),
      driverTrips: await db
        .selectFrom('driver_jobs')
        .selectAll()
        .orderBy('driver_id')
        .orderBy('booking_id')
        .execute(),
      // Not the last known position: the location writer stores it on its own clock, not from events.
      drivers: await db
        .selectFrom('drivers')
        .select([
          'user_id',
          'vehicle_id',
          'online',
          'suspended',
          'active_booking_id',
          'rating_sum',
          'rating_count',
          'created_at',
          'updated_at',
        ])
        .orderBy('user_id')
        .execute(),
      bookingDaily: await db
        .selectFrom('booking_daily')
        .selectAll()
        .orderBy('day')
        .orderBy('vehicle_type')
        .execute(),
      driverDaily: await db
        .selectFrom('driver_daily')
        .selectAll()
        .orderBy('day')
        .orderBy('driver_id')
        .execute(),
    })),
  );
}

describe(`every outbox consumer bears an event delivered again (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('redelivered', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('redelivering every event of a delivered, a rated and a cancelled booking changes nothing', async () => {
    const driver = await onlineDriver(app, { at: offset(CITY, 0.5) });
    const customer = await newCustomer(app);
    const delivered = await book(app, customer.token);
    await waitForOffer(app, driver.token, delivered.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${delivered.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);
    const steps: BookingStatus[] = [
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
      'delivered',
    ];
    for (const status of steps) {
      const moved = await app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${delivered.id}/status`,
        headers: bearer(driver.token),
        payload: { status },
      });
      expect(moved.statusCode).toBe(200);
    }
    const rated = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${delivered.id}/rating`,
      headers: bearer(customer.token),
      payload: { rating: 4 },
    });
    expect(rated.statusCode).toBe(200);
    const cancelled = await book(app, customer.token);
    await waitForOffer(app, driver.token, cancelled.id);
    const cancel = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${cancelled.id}/cancel`,
      headers: bearer(customer.token),
      payload: {},
    });
    expect(cancel.statusCode).toBe(200);
    await drained(app);
    const before = await consumerState(app);

    // Every event again, as new jobs: what a re-driven event whose first job did run looks like.
    let redelivered = 0;
    for (const shard of app.platform.pool.shards) {
      for (const row of await shard.db.selectFrom('outbox').selectAll().execute()) {
        await app.platform.queue.enqueue(OUTBOX_JOB, outboxJobData(row, shard.index), {
          jobId: `again-${row.id}`,
        });
        redelivered += 1;
      }
    }
    expect(redelivered).toBeGreaterThanOrEqual(12);
    await drained(app);

    expect(await consumerState(app)).toEqual(before);
  });
});
