import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booking, NotificationEvent } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { OUTBOX_JOB, type OutboxEvent } from '../../platform/outbox/outbox';
import { RecordingSink, type Delivery } from '../../platform/realtime/realtime-sink.port';
import { BOOKING_STATUS_CHANGED, type BookingStatusChanged } from '../events/booking-events';
import { createNotifications, type NotificationsModule } from './notifications.module';
import { bearer, driverSignup, signInAdmin, signUp } from '../../../test/support/factories';
import { book, newCustomer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';

describe(`notifications.booking consumer (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let sink: RecordingSink;
  let notifications: NotificationsModule;
  let admin: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('notifyjob', { env: { RATE_LIMITS: 'off' } });
    // The api role runs no consumers: this module's job is the only one the relay feeds.
    app = await env.start({ roles: ['api'] });
    sink = new RecordingSink();
    notifications = createNotifications({ platform: app.platform, sink });
    notifications.startWorkers();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  /** Relays committed events to the queue and waits until the job has handled every one. */
  async function settle(): Promise<void> {
    await app.platform.relay.drain();
    await waitFor(async () => {
      const counts = await app.platform.queue.counts(OUTBOX_JOB);
      return counts.waiting + counts.active + counts.delayed === 0;
    }, 15_000);
    expect((await app.platform.queue.counts(OUTBOX_JOB)).failed).toBe(0);
  }

  function told(bookingId: string): { room: string; title: string }[] {
    return sink.delivered
      .filter((d: Delivery) => (d.data as NotificationEvent).bookingId === bookingId)
      .map((d) => ({ room: d.rooms.join(','), title: (d.data as NotificationEvent).title }));
  }

  async function eventsOf(bookingId: string): Promise<OutboxEvent<BookingStatusChanged>[]> {
    const rows = await app.platform.router
      .forId(bookingId)
      .db.selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', bookingId)
      .where('topic', '=', BOOKING_STATUS_CHANGED.name)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      aggregateId: row.aggregate_id,
      payload: BOOKING_STATUS_CHANGED.parse(JSON.parse(row.payload)),
      createdAt: row.created_at,
    }));
  }

  it('a whole trip, through the relay and the queue, tells the customer and the driver exactly this', async () => {
    const customer = await newCustomer(app);
    const driver = await signUp(app, driverSignup());
    const booking = await book(app, customer.token);
    const bookings = app.services.bookingCore.service;
    // No dispatch runs in the api role: assign as an accepted offer would, then move as the driver does.
    await bookings.transition(
      booking.id,
      'driver_assigned',
      { role: 'driver', id: driver.user.id },
      {
        requireNoDriver: true,
        set: (_row, now) => ({ driver_id: driver.user.id, assigned_at: now }),
      },
    );
    for (const status of [
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
      'delivered',
    ] as const) {
      await bookings.driverUpdate(driver.user.id, booking.id, status);
    }

    await settle();

    const customerRoom = `user:${customer.user.id}`;
    const byTitle = (a: { title: string }, b: { title: string }) => a.title.localeCompare(b.title);
    expect(told(booking.id).sort(byTitle)).toEqual(
      [
        { room: customerRoom, title: 'Driver confirmed' },
        { room: customerRoom, title: 'Driver on the way' },
        { room: customerRoom, title: 'Driver has arrived' },
        { room: customerRoom, title: 'Goods collected' },
        { room: customerRoom, title: 'Delivered' },
        { room: `user:${driver.user.id}`, title: 'Job complete' },
      ].sort(byTitle),
    );
    const stored = await notifications.service.list(customer.user.id, {});
    expect(stored.items.map((n) => n.title).sort()).toEqual(
      ['Delivered', 'Driver confirmed', 'Driver has arrived', 'Driver on the way', 'Goods collected'].sort(),
    );
  });

  it('a scheduled booking is confirmed, and an admin cancelling it tells the customer', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      scheduledAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
    });
    expect(booking.status).toBe('scheduled');
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(admin),
      payload: { reason: 'duplicate' },
    });
    expect(cancelled.json<Booking>().status).toBe('cancelled');

    await settle();

    const room = `user:${customer.user.id}`;
    expect(told(booking.id).sort((a, b) => a.title.localeCompare(b.title))).toEqual([
      { room, title: 'Booking cancelled' },
      { room, title: 'Booking scheduled' },
    ]);
  });

  it('a booking the customer makes and cancels before any driver tells nobody', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token);
    const cancelled = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: bearer(customer.token),
    });
    expect(cancelled.statusCode).toBe(200);

    await settle();

    expect((await eventsOf(booking.id)).map((e) => (e.payload as { to: string }).to)).toEqual([
      'searching',
      'cancelled',
    ]);
    expect(told(booking.id)).toEqual([]);
    expect((await notifications.service.list(customer.user.id, {})).items).toEqual([]);
  });

  it('a redelivered job stores and sends nothing new', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      scheduledAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
    });
    await settle();
    expect(told(booking.id)).toHaveLength(1);
    const [event] = await eventsOf(booking.id);
    if (event === undefined) {
      throw new Error('no event');
    }

    // The relay dedupes by event id; a crash between enqueue and marking the row sent enqueues it again.
    await app.platform.queue.enqueue(OUTBOX_JOB, event, { jobId: `again-${event.id}` });
    await settle();
    await notifications.service.notifyFromBookingChange(event);

    expect(told(booking.id)).toEqual([{ room: `user:${customer.user.id}`, title: 'Booking scheduled' }]);
    expect((await notifications.service.list(customer.user.id, {})).items).toHaveLength(1);
  });

  it('skips a malformed event instead of failing the job', async () => {
    const before = sink.delivered.length;
    await app.platform.queue.enqueue(OUTBOX_JOB, {
      id: '1',
      topic: BOOKING_STATUS_CHANGED.name,
      aggregateId: '1',
      payload: { to: 'delivered' },
      createdAt: 0,
    });
    await settle();
    expect(sink.delivered.length).toBe(before);
  });
});
