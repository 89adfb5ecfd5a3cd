import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { book, newCustomer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { AREA_CELLS_PER_DEGREE, UnfilledDemandRepository } from './unfilled-demand.repository';

describe(`unfilled demand by area (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('unfilledarea', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('puts a pickup on a cell edge in the cell Math.round names, in either store', async () => {
    // 12.925 * 20 = 258.5 and 77.525 * 20 = 1550.5: halves whose even neighbour is below.
    const pickup = { lat: 12.925, lng: 77.525 };
    const customer = await newCustomer(app);
    const started = Date.now();
    const booking = await book(app, customer.token, { pickup, dropoff: { lat: 12.95, lng: 77.55 } });
    const db = app.platform.router.forId(booking.id).db;
    await db.updateTable('bookings').set({ status: 'expired' }).where('id', '=', booking.id).execute();

    const areas = await new UnfilledDemandRepository().byArea(db, {
      fromMs: started - 60_000,
      toMs: Date.now() + 60_000,
    });
    expect(areas.map(({ cellLat, cellLng, count }) => ({ cellLat, cellLng, count }))).toEqual([
      {
        cellLat: Math.round(pickup.lat * AREA_CELLS_PER_DEGREE),
        cellLng: Math.round(pickup.lng * AREA_CELLS_PER_DEGREE),
        count: 1,
      },
    ]);
    expect([
      Math.round(pickup.lat * AREA_CELLS_PER_DEGREE),
      Math.round(pickup.lng * AREA_CELLS_PER_DEGREE),
    ]).toEqual([259, 1551]);
  });
});
