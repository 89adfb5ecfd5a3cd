import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BookingEvent } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { BOOKING_STATUS_CHANGED, type BookingStatusChanged } from '../events/booking-events';
import { BookingsRepository } from '../bookings/bookings.repository';
import type { OutboxConsumer, OutboxDelivery } from '../../platform/outbox/outbox';
import { bearer } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset, waitForStatus } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { registerBookingLifecycleConsumer } from './booking-lifecycle.consumer';

interface LogLine {
  level: number;
  msg: string;
  alert?: boolean;
  bookingId?: string;
  reason?: string;
  module?: string;
}

/** A logger whose lines the test can read back. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          lines.push(JSON.parse(line) as LogLine);
        }
      }
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const bookings = new BookingsRepository();

async function stored(app: LoadlineApp, bookingId: string) {
  return bookings.findById(app.platform.router.forId(bookingId).db, bookingId);
}

async function notificationTitles(app: LoadlineApp, token: string): Promise<string[]> {
  const response = await app.http.inject({ method: 'GET', url: '/v1/notifications', headers: bearer(token) });
  return response.json<{ items: { title: string; bookingId?: string }[] }>().items.map((item) => item.title);
}

describe(`a booking whose dispatch fails for good (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const log = capturingLogger();

  beforeAll(async () => {
    env = await TestEnvironment.create('dispatchfail', { env: { RATE_LIMITS: 'off' } });
    app = await env.start({ logger: log.logger });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a booking whose dispatch wave always throws ends expired with reason dispatch_failed and an alert', async () => {
    const runWave = vi
      .spyOn(app.services.dispatch.service, 'runWave')
      .mockRejectedValue(new Error('geo index unreachable'));
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: offset(CITY, 1), dropoff: offset(CITY, 4) });

    // Wave 1 runs once at once in the lifecycle step, then its job has 5 tries, 0.5 + 1 + 2 + 4 s apart.
    await waitForStatus(app, customer.token, booking.id, 'expired', 20_000);
    expect(runWave.mock.calls.map(([id, wave]) => [id, wave])).toEqual(
      Array.from({ length: 6 }, () => [booking.id, 1]),
    );
    const row = await stored(app, booking.id);
    expect({ status: row?.status, reason: row?.cancel_reason, driver: row?.driver_id }).toEqual({
      status: 'expired',
      reason: 'dispatch_failed',
      driver: null,
    });

    const events = await app.http.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/events`,
      headers: bearer(customer.token),
    });
    expect(
      events.json<{ items: BookingEvent[] }>().items.map((event) => [event.seq, event.status, event.actor]),
    ).toEqual([
      [1, 'searching', expect.objectContaining({ role: 'customer' }) as unknown],
      [2, 'expired', expect.objectContaining({ role: 'system' }) as unknown],
    ]);
    // The expiry went through the outbox: the customer is told.
    let titles: string[] = [];
    await vi.waitFor(
      async () => {
        titles = await notificationTitles(app, customer.token);
        expect(titles).toContain('No driver found');
      },
      { timeout: 10_000, interval: 50 },
    );

    const alerts = log.lines.filter((line) => line.alert === true && line.bookingId === booking.id);
    expect(alerts.map((line) => [line.level, line.reason, line.msg])).toEqual([
      [50, 'dispatch_failed', 'booking expired: its dispatch failed for good'],
    ]);
  });
});

describe(`a booking whose lifecycle step fails for good (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const log = capturingLogger();
  let consumer: OutboxConsumer;

  beforeAll(async () => {
    env = await TestEnvironment.create('lifecyclefail', { env: { RATE_LIMITS: 'off' } });
    // No worker role: nothing consumes the outbox but the step this test drives.
    app = await env.start({ logger: log.logger, roles: ['api'] });
    const { platform, services } = app;
    const consumers: OutboxConsumer[] = [];
    registerBookingLifecycleConsumer({
      queue: platform.queue,
      relay: {
        consume: (topic, _name, handle) => {
          if (topic.name === BOOKING_STATUS_CHANGED.name) {
            consumers.push((event, delivery) =>
              handle({ ...event, payload: topic.parse(event.payload) }, delivery),
            );
          }
        },
      },
      router: platform.router,
      geo: {
        upsert: () => Promise.reject(new Error('geo index unreachable')),
        remove: (set, member) => platform.geo.remove(set, member),
        nearby: (set, center, radiusKm, limit) => platform.geo.nearby(set, center, radiusKm, limit),
        position: (set, member) => platform.geo.position(set, member),
        count: (set) => platform.geo.count(set),
        close: () => Promise.resolve(),
      },
      clock: platform.clock,
      bookings,
      bookingsService: services.bookingCore.service,
      dispatch: services.dispatch.service,
      activation: services.bookingCore.activation,
      logger: log.logger,
    });
    const [registered] = consumers;
    if (registered === undefined) {
      throw new Error('the lifecycle job registered no consumer');
    }
    consumer = registered;
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a new booking whose search cannot start retries, then on its last delivery expires with the reason', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: offset(CITY, 2), dropoff: offset(CITY, 5) });
    const payload: BookingStatusChanged = {
      bookingId: booking.id,
      customerId: customer.user.id,
      driverId: null,
      vehicleType: booking.vehicleType,
      from: null,
      to: 'searching',
      seq: 1,
      at: Date.now(),
      actor: { role: 'customer', id: customer.user.id },
    };
    const event = {
      id: '1',
      topic: BOOKING_STATUS_CHANGED.name,
      aggregateId: booking.id,
      payload,
      createdAt: Date.now(),
    };
    const early: OutboxDelivery = { attempt: 9, maxAttempts: 10 };
    await expect(consumer(event, early)).rejects.toThrow('geo index unreachable');
    expect((await stored(app, booking.id))?.status).toBe('searching');

    await consumer(event, { attempt: 10, maxAttempts: 10 });
    const row = await stored(app, booking.id);
    expect({ status: row?.status, reason: row?.cancel_reason, seq: row?.seq }).toEqual({
      status: 'expired',
      reason: 'dispatch_failed',
      seq: 2,
    });
    const outbox = await app.platform.router
      .forId(booking.id)
      .db.selectFrom('outbox')
      .select(['topic', 'payload'])
      .where('aggregate_id', '=', booking.id)
      .orderBy('id')
      .execute();
    expect(
      outbox.map((entry) => {
        const change = BOOKING_STATUS_CHANGED.parse(JSON.parse(entry.payload));
        return [entry.topic, change.from, change.to, change.actor.role];
      }),
    ).toEqual([
      [BOOKING_STATUS_CHANGED.name, null, 'searching', 'customer'],
      [BOOKING_STATUS_CHANGED.name, 'searching', 'expired', 'system'],
    ]);
    const alerts = log.lines.filter((line) => line.alert === true && line.bookingId === booking.id);
    expect(alerts.map((line) => [line.level, line.reason, line.msg])).toEqual([
      [50, 'dispatch_failed', 'booking expired: its dispatch failed for good'],
    ]);

    // A redelivery after the expiry changes nothing.
    await consumer(event, { attempt: 10, maxAttempts: 10 });
    expect((await stored(app, booking.id))?.seq).toBe(2);
  });
});
