import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import type { OutboxEvent } from '../../platform/outbox/outbox';
import { BookingsRepository } from '../bookings/bookings.repository';
import type { BookingStatusChanged } from '../events/booking-events';
import { AnalyticsRollup } from './analytics-rollup.consumer';
import { dayOf, RollupsRepository } from './rollups.repository';

describe(`analytics roll-up consumer (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('rollup-claims');
    // No worker role: the test delivers the events itself.
    app = await env.start({ roles: [] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('adds each part of a booking once: a part counted before changes nothing, and the event still succeeds', async () => {
    const { router, ids, clock } = app.platform;
    const rollups = new RollupsRepository();
    let changes = 0;
    const rollup = new AnalyticsRollup({
      router,
      rollups,
      bookings: new BookingsRepository(),
      onChanged: () => {
        changes += 1;
      },
    });
    const bookingId = ids.next(42);
    const shard = router.forId(bookingId);
    // A day of its own, so other tests' counts cannot mix in.
    const at = clock.now() - 400 * 86_400_000;
    const day = dayOf(at);
    const event = (to: BookingStatusChanged['to'], from: BookingStatusChanged['from']) =>
      ({
        id: ids.next(42),
        topic: 'booking.status_changed',
        aggregateId: bookingId,
        createdAt: at,
        payload: {
          bookingId,
          customerId: ids.next(42),
          driverId: null,
          vehicleType: 'bike',
          from,
          to,
          seq: from === null ? 1 : 2,
          at,
          actor: { role: 'customer', id: null },
        },
      }) satisfies OutboxEvent<BookingStatusChanged>;
    const counted = async () => {
      const [row] = await rollups.bookingDaily(shard.db, day, day);
      return { created: row?.created ?? 0, cancelled: row?.cancelled ?? 0 };
    };

    const created = event('searching', null);
    await rollup.statusChanged(created);
    expect(await counted()).toEqual({ created: 1, cancelled: 0 });
    // The same event again, and another event about the same part (as after a rebuild).
    await rollup.statusChanged(created);
    await rollup.statusChanged(event('searching', null));
    expect(await counted()).toEqual({ created: 1, cancelled: 0 });

    const cancelled = event('cancelled', 'searching');
    await rollup.statusChanged(cancelled);
    await rollup.statusChanged(cancelled);
    expect(await counted()).toEqual({ created: 1, cancelled: 1 });
    expect(changes).toBe(2);
    const claims = await shard.db
      .selectFrom('rollup_parts')
      .select(['part', 'event_id'])
      .where('booking_id', '=', bookingId)
      .orderBy('part')
      .execute();
    expect(claims).toEqual([
      { part: 'cancelled', event_id: cancelled.id },
      { part: 'created', event_id: created.id },
    ]);
  });
});
