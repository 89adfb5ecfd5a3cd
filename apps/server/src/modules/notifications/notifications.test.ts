/**
 * Notifications end to end (stored, listed, marked read, sent live) in both tiers. One file, because the cases share
 * one started app and its users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, ErrorEnvelope, Notification, NotificationEvent } from '@loadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { LoadlineApp } from '../../app';
import { createHttpServer } from '../../http/http-server';
import { ManualClock } from '../../lib/clock';
import { logicalShardOf } from '../../platform/db/ids';
import type { OutboxEvent } from '../../platform/outbox/outbox';
import { RecordingSink, type Delivery } from '../../platform/realtime/realtime-sink.port';
import { BOOKING_STATUS_CHANGED, type BookingStatusChanged } from '../events/booking-events';
import { bearer, driverSignup, signUp } from '../../../test/support/factories';
import { newCustomer } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { createNotifications, type NotificationsModule } from './notifications.module';

const NOW = Date.UTC(2026, 2, 2, 9, 30);

describe(`notifications (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let clock: ManualClock;
  let sink: RecordingSink;
  let notifications: NotificationsModule;
  /** The app's own routes once app.ts wires the module; until then the same shell with only these routes. */
  let http: FastifyInstance;
  let ownShell: FastifyInstance | null = null;

  beforeAll(async () => {
    env = await TestEnvironment.create('notifications', { env: { RATE_LIMITS: 'off' } });
    clock = new ManualClock(NOW);
    // The api role alone: no worker consumes events behind the tests' backs.
    app = await env.start({ roles: ['api'], clock });
    sink = new RecordingSink();
    notifications = createNotifications({ platform: app.platform, sink });
    if (app.http.hasRoute({ method: 'GET', url: '/v1/notifications' })) {
      http = app.http;
    } else {
      const { app: shell } = await createHttpServer({
        config: app.config,
        logger: app.platform.logger,
        unreachable: () => app.platform.unreachable(),
      });
      for (const routes of notifications.routes(app.services.authenticator)) {
        await shell.register(routes);
      }
      await shell.ready();
      ownShell = shell;
      http = shell;
    }
  });

  afterAll(async () => {
    await ownShell?.close();
    await env.destroy();
  });

  async function newDriver(): Promise<AuthResponse> {
    return signUp(app, driverSignup());
  }

  /** A committed `booking.status_changed` event as the relay hands it over; a fresh booking unless one is given. */
  function statusChange(
    change: Pick<BookingStatusChanged, 'customerId' | 'from' | 'to' | 'actor'> &
      Partial<BookingStatusChanged>,
  ): OutboxEvent<BookingStatusChanged> {
    const { ids } = app.platform;
    const bookingId = change.bookingId ?? ids.next(logicalShardOf(change.customerId));
    const payload: BookingStatusChanged = {
      bookingId,
      driverId: null,
      vehicleType: 'van',
      seq: 2,
      at: clock.now(),
      ...change,
    };
    return {
      id: ids.next(logicalShardOf(bookingId)),
      topic: BOOKING_STATUS_CHANGED.name,
      aggregateId: bookingId,
      payload,
      createdAt: payload.at,
    };
  }

  function deliveredFor(bookingId: string): Delivery[] {
    return sink.delivered.filter((delivery) => (delivery.data as NotificationEvent).bookingId === bookingId);
  }

  async function customerOnShardOf(userId: string): Promise<AuthResponse> {
    const shard = app.platform.router.forId(userId).label;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const customer = await newCustomer(app);
      if (app.platform.router.forId(customer.user.id).label === shard) {
        return customer;
      }
    }
    throw new Error(`no customer landed on ${shard}`);
  }

  async function listOf(
    token: string,
    query = '',
  ): Promise<{ items: Notification[]; nextCursor: string | null }> {
    const response = await http.inject({
      method: 'GET',
      url: `/v1/notifications${query}`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  describe('who is told what', () => {
    type Who = 'customer' | 'driver';
    interface Case {
      name: string;
      from: BookingStatusChanged['from'];
      to: BookingStatusChanged['to'];
      actor: BookingStatusChanged['actor']['role'];
      withDriver: boolean;
      told: [Who, string, string][];
    }
    const cases: Case[] = [
      {
        name: 'a scheduled booking is confirmed to its customer',
        from: null,
        to: 'scheduled',
        actor: 'customer',
        withDriver: false,
        told: [['customer', 'booking_scheduled', 'Booking scheduled']],
      },
      {
        name: 'a new booking that starts searching tells nobody',
        from: null,
        to: 'searching',
        actor: 'customer',
        withDriver: false,
        told: [],
      },
      {
        name: 'a scheduled booking starting its search tells nobody',
        from: 'scheduled',
        to: 'searching',
        actor: 'system',
        withDriver: false,
        told: [],
      },
      {
        name: 'an accepted booking tells the customer the driver is confirmed',
        from: 'searching',
        to: 'driver_assigned',
        actor: 'driver',
        withDriver: true,
        told: [['customer', 'driver_confirmed', 'Driver confirmed']],
      },
      {
        name: 'a driver heading to pickup tells the customer',
        from: 'driver_assigned',
        to: 'en_route_to_pickup',
        actor: 'driver',
        withDriver: true,
        told: [['customer', 'driver_en_route', 'Driver on the way']],
      },
      {
        name: 'a driver at the pickup tells the customer',
        from: 'en_route_to_pickup',
        to: 'arrived_at_pickup',
        actor: 'driver',
        withDriver: true,
        told: [['customer', 'driver_arrived', 'Driver has arrived']],
      },
      {
        name: 'collected goods tell the customer',
        from: 'arrived_at_pickup',
        to: 'goods_collected',
        actor: 'driver',
        withDriver: true,
        told: [['customer', 'goods_collected', 'Goods collected']],
      },
      {
        name: 'in transit tells nobody anything new',
        from: 'goods_collected',
        to: 'in_transit',
        actor: 'driver',
        withDriver: true,
        told: [],
      },
      {
        name: 'a delivery tells the customer and the driver',
        from: 'in_transit',
        to: 'delivered',
        actor: 'driver',
        withDriver: true,
        told: [
          ['customer', 'booking_delivered', 'Delivered'],
          ['driver', 'job_completed', 'Job complete'],
        ],
      },
      {
        name: 'a driver releasing the trip tells the customer another driver is being found',
        from: 'driver_assigned',
        to: 'searching',
        actor: 'driver',
        withDriver: true,
        told: [['customer', 'driver_released', 'Finding you another driver']],
      },
      {
        name: 'an expired search tells the customer no driver was found',
        from: 'searching',
        to: 'expired',
        actor: 'system',
        withDriver: false,
        told: [['customer', 'booking_expired', 'No driver found']],
      },
      {
        name: 'a customer cancelling before assignment tells nobody',
        from: 'searching',
        to: 'cancelled',
        actor: 'customer',
        withDriver: false,
        told: [],
      },
      {
        name: 'a customer cancelling an assigned trip tells only the driver',
        from: 'en_route_to_pickup',
        to: 'cancelled',
        actor: 'customer',
        withDriver: true,
        told: [['driver', 'job_cancelled', 'Job cancelled']],
      },
      {
        name: 'an admin cancelling an assigned trip tells the customer and the driver',
        from: 'in_transit',
        to: 'cancelled',
        actor: 'admin',
        withDriver: true,
        told: [
          ['customer', 'booking_cancelled', 'Booking cancelled'],
          ['driver', 'job_cancelled', 'Job cancelled'],
        ],
      },
      {
        name: 'an admin cancelling a scheduled booking tells the customer',
        from: 'scheduled',
        to: 'cancelled',
        actor: 'admin',
        withDriver: false,
        told: [['customer', 'booking_cancelled', 'Booking cancelled']],
      },
    ];

    it.each(cases)('$name', async ({ from, to, actor, withDriver, told }) => {
      const customer = await newCustomer(app);
      const driver = await newDriver();
      const actorId = actor === 'customer' ? customer.user.id : actor === 'driver' ? driver.user.id : null;
      const event = statusChange({
        customerId: customer.user.id,
        driverId: withDriver ? driver.user.id : null,
        from,
        to,
        actor: { role: actor, id: actorId },
      });
      const userOf = { customer: customer.user.id, driver: driver.user.id };

      const created = await notifications.service.notifyFromBookingChange(event);

      expect(created.map((n) => [n.type, n.title])).toEqual(told.map(([, type, title]) => [type, title]));
      expect(
        deliveredFor(event.payload.bookingId).map((d) => [d.rooms, (d.data as NotificationEvent).type]),
      ).toEqual(told.map(([who, type]) => [[`user:${userOf[who]}`], type]));
      for (const who of ['customer', 'driver'] as const) {
        const stored = (await notifications.service.list(userOf[who], {})).items;
        expect(stored.map((n) => [n.type, n.title, n.bookingId])).toEqual(
          told.filter(([to]) => to === who).map(([, type, title]) => [type, title, event.payload.bookingId]),
        );
      }
    });

    it('says who cancelled: the customer hears of support, the driver of the customer or support', async () => {
      const customer = await newCustomer(app);
      const driver = await newDriver();
      const byAdmin = await notifications.service.notifyFromBookingChange(
        statusChange({
          customerId: customer.user.id,
          driverId: driver.user.id,
          from: 'driver_assigned',
          to: 'cancelled',
          actor: { role: 'admin', id: null },
        }),
      );
      const byCustomer = await notifications.service.notifyFromBookingChange(
        statusChange({
          customerId: customer.user.id,
          driverId: driver.user.id,
          from: 'driver_assigned',
          to: 'cancelled',
          actor: { role: 'customer', id: customer.user.id },
        }),
      );

      expect(byAdmin.map((n) => n.body)).toEqual([
        'Loadline support has cancelled your booking. Contact support if you have questions.',
        'Loadline support cancelled this job. You are free to take your next job.',
      ]);
      expect(byCustomer.map((n) => n.body)).toEqual([
        'The customer cancelled this job. You are free to take your next job.',
      ]);
    });

    it('names the vehicle type in plain words', async () => {
      const customer = await newCustomer(app);
      const [expired] = await notifications.service.notifyFromBookingChange(
        statusChange({
          customerId: customer.user.id,
          vehicleType: 'mini_truck',
          from: 'searching',
          to: 'expired',
          actor: { role: 'system', id: null },
        }),
      );
      expect(expired?.body).toBe(
        'We could not find a mini truck driver for your booking in time. Please try booking again.',
      );
    });
  });

  describe('delivery', () => {
    it('sends the contract notification event to the user room only, stamped with the change time', async () => {
      const customer = await newCustomer(app);
      const event = statusChange({
        customerId: customer.user.id,
        from: 'arrived_at_pickup',
        to: 'goods_collected',
        actor: { role: 'driver', id: null },
        at: Date.UTC(2026, 2, 2, 9, 0, 5),
      });

      const [created] = await notifications.service.notifyFromBookingChange(event);
      if (created === undefined) {
        throw new Error('nothing created');
      }
      expect(deliveredFor(event.payload.bookingId)).toEqual([
        {
          rooms: [`user:${customer.user.id}`],
          event: 'notification',
          data: {
            id: created.id,
            type: 'goods_collected',
            title: 'Goods collected',
            body: 'Your goods are on board and will be on their way to the drop-off point shortly.',
            bookingId: event.payload.bookingId,
            at: '2026-03-02T09:00:05.000Z',
          } satisfies NotificationEvent,
        },
      ]);
      expect(created).toEqual({
        ...(deliveredFor(event.payload.bookingId)[0]?.data as object),
        readAt: null,
      });
    });

    it('a redelivered event creates nothing new and delivers nothing new', async () => {
      const customer = await newCustomer(app);
      const driver = await newDriver();
      const event = statusChange({
        customerId: customer.user.id,
        driverId: driver.user.id,
        from: 'in_transit',
        to: 'delivered',
        actor: { role: 'driver', id: driver.user.id },
      });

      const first = await notifications.service.notifyFromBookingChange(event);
      const again = await notifications.service.notifyFromBookingChange(event);
      const racing = await Promise.all([
        notifications.service.notifyFromBookingChange(event),
        notifications.service.notifyFromBookingChange(event),
      ]);

      expect(first.map((n) => n.type)).toEqual(['booking_delivered', 'job_completed']);
      expect(again).toEqual([]);
      expect(racing).toEqual([[], []]);
      expect(deliveredFor(event.payload.bookingId)).toHaveLength(2);
      expect((await notifications.service.list(customer.user.id, {})).items.map((n) => n.id)).toEqual([
        first[0]?.id,
      ]);
      expect((await notifications.service.list(driver.user.id, {})).items.map((n) => n.id)).toEqual([
        first[1]?.id,
      ]);
    });

    it('two deliveries of one event racing each other create each notification once', async () => {
      const customer = await newCustomer(app);
      const driver = await newDriver();
      const event = statusChange({
        customerId: customer.user.id,
        driverId: driver.user.id,
        from: 'goods_collected',
        to: 'cancelled',
        actor: { role: 'admin', id: null },
      });

      const [a, b] = await Promise.all([
        notifications.service.notifyFromBookingChange(event),
        notifications.service.notifyFromBookingChange(event),
      ]);

      expect([...a, ...b].map((n) => n.type).sort()).toEqual(['booking_cancelled', 'job_cancelled']);
      expect(
        deliveredFor(event.payload.bookingId)
          .map((d) => d.rooms)
          .sort(),
      ).toEqual([[`user:${customer.user.id}`], [`user:${driver.user.id}`]].sort());
    });

    it('a second event with the same change is told again: only the event id deduplicates', async () => {
      const customer = await newCustomer(app);
      const bookingId = app.platform.ids.next(logicalShardOf(customer.user.id));
      const change = {
        customerId: customer.user.id,
        bookingId,
        from: 'searching',
        to: 'expired',
        actor: { role: 'system', id: null },
      } as const;

      await notifications.service.notifyFromBookingChange(statusChange(change));
      await notifications.service.notifyFromBookingChange(statusChange(change));

      expect(deliveredFor(bookingId)).toHaveLength(2);
    });
  });

  describe('HTTP', () => {
    /** Gives the customer one notification per title, oldest first; returns them newest first. */
    async function seed(customerId: string, count: number): Promise<string[]> {
      const steps = [
        ['searching', 'driver_assigned'],
        ['driver_assigned', 'en_route_to_pickup'],
        ['en_route_to_pickup', 'arrived_at_pickup'],
        ['arrived_at_pickup', 'goods_collected'],
        ['in_transit', 'delivered'],
      ] as const;
      const titles: string[] = [];
      for (const [from, to] of steps.slice(0, count)) {
        const [created] = await notifications.service.notifyFromBookingChange(
          statusChange({ customerId, from, to, actor: { role: 'driver', id: null } }),
        );
        titles.unshift(created?.title ?? 'none');
      }
      return titles;
    }

    it('lists newest first, page by page with the cursor', async () => {
      const customer = await newCustomer(app);
      const titles = await seed(customer.user.id, 5);
      expect(titles).toEqual([
        'Delivered',
        'Goods collected',
        'Driver has arrived',
        'Driver on the way',
        'Driver confirmed',
      ]);

      const first = await listOf(customer.token, '?limit=2');
      expect(first.items.map((n) => n.title)).toEqual(['Delivered', 'Goods collected']);
      expect(first.nextCursor).not.toBeNull();
      const second = await listOf(customer.token, `?limit=2&cursor=${first.nextCursor ?? ''}`);
      expect(second.items.map((n) => n.title)).toEqual(['Driver has arrived', 'Driver on the way']);
      const third = await listOf(customer.token, `?limit=2&cursor=${second.nextCursor ?? ''}`);
      expect(third.items.map((n) => n.title)).toEqual(['Driver confirmed']);
      expect(third.nextCursor).toBeNull();

      const all = await listOf(customer.token);
      expect(all.items.map((n) => n.title)).toEqual(titles);
      expect(all.nextCursor).toBeNull();
      expect(all.items.every((n) => n.readAt === null)).toBe(true);
    });

    it('shows a user only their own notifications', async () => {
      const customer = await newCustomer(app);
      const other = await newCustomer(app);
      await seed(customer.user.id, 2);
      expect((await listOf(other.token)).items).toEqual([]);
    });

    it('marks one read: it leaves the unread list and carries readAt; again changes nothing', async () => {
      const customer = await newCustomer(app);
      await seed(customer.user.id, 3);
      const [newest, middle, oldest] = (await listOf(customer.token)).items;
      clock.set(Date.UTC(2026, 2, 2, 10, 0));

      const read = await http.inject({
        method: 'POST',
        url: `/v1/notifications/${middle?.id ?? ''}/read`,
        headers: bearer(customer.token),
      });
      clock.set(Date.UTC(2026, 2, 2, 11, 0));
      const readAgain = await http.inject({
        method: 'POST',
        url: `/v1/notifications/${middle?.id ?? ''}/read`,
        headers: bearer(customer.token),
      });

      expect(read.statusCode).toBe(204);
      expect(read.body).toBe('');
      expect(readAgain.statusCode).toBe(204);
      expect((await listOf(customer.token, '?unread=true')).items.map((n) => n.id)).toEqual([
        newest?.id,
        oldest?.id,
      ]);
      expect((await listOf(customer.token)).items.map((n) => n.readAt)).toEqual([
        null,
        '2026-03-02T10:00:00.000Z',
        null,
      ]);
      expect((await listOf(customer.token, '?unread=false')).items).toHaveLength(3);
    });

    it('pages the unread list by the same cursor', async () => {
      const customer = await newCustomer(app);
      await seed(customer.user.id, 4);
      const [newest] = (await listOf(customer.token)).items;
      await notifications.service.markRead(customer.user.id, newest?.id ?? '');

      const first = await listOf(customer.token, '?unread=true&limit=2');
      const second = await listOf(customer.token, `?unread=true&limit=2&cursor=${first.nextCursor ?? ''}`);

      expect(first.items.map((n) => n.title)).toEqual(['Driver has arrived', 'Driver on the way']);
      expect(second.items.map((n) => n.title)).toEqual(['Driver confirmed']);
      expect(second.nextCursor).toBeNull();
    });

    it("marking another user's notification read is 404 and leaves it unread", async () => {
      const owner = await newCustomer(app);
      // On the owner's own shard, so only the ownership check stands between them and the row.
      const intruder = await customerOnShardOf(owner.user.id);
      await seed(owner.user.id, 1);
      const [theirs] = (await listOf(owner.token)).items;

      const response = await http.inject({
        method: 'POST',
        url: `/v1/notifications/${theirs?.id ?? ''}/read`,
        headers: bearer(intruder.token),
      });

      expect(response.statusCode).toBe(404);
      expect(response.json<ErrorEnvelope>().error.code).toBe('not_found');
      expect((await listOf(owner.token)).items.map((n) => n.readAt)).toEqual([null]);
    });

    it('marking an unknown notification read is 404', async () => {
      const customer = await newCustomer(app);
      const unknown = app.platform.ids.next(logicalShardOf(customer.user.id));
      const response = await http.inject({
        method: 'POST',
        url: `/v1/notifications/${unknown}/read`,
        headers: bearer(customer.token),
      });
      expect(response.statusCode).toBe(404);
      expect(response.json<ErrorEnvelope>().error).toEqual({
        code: 'not_found',
        message: 'Notification was not found.',
      });
    });

    it("marks all of the caller's notifications read and nobody else's", async () => {
      const customer = await newCustomer(app);
      const other = await newCustomer(app);
      await seed(customer.user.id, 3);
      await seed(other.user.id, 2);
      clock.set(Date.UTC(2026, 2, 2, 12, 0));

      const response = await http.inject({
        method: 'POST',
        url: '/v1/notifications/read-all',
        headers: bearer(customer.token),
      });

      expect(response.statusCode).toBe(204);
      expect((await listOf(customer.token, '?unread=true')).items).toEqual([]);
      expect((await listOf(customer.token)).items.map((n) => n.readAt)).toEqual([
        '2026-03-02T12:00:00.000Z',
        '2026-03-02T12:00:00.000Z',
        '2026-03-02T12:00:00.000Z',
      ]);
      expect((await listOf(other.token, '?unread=true')).items).toHaveLength(2);
    });

    it('serves drivers too: any signed-in user has notifications', async () => {
      const customer = await newCustomer(app);
      const driver = await newDriver();
      await notifications.service.notifyFromBookingChange(
        statusChange({
          customerId: customer.user.id,
          driverId: driver.user.id,
          from: 'in_transit',
          to: 'delivered',
          actor: { role: 'driver', id: driver.user.id },
        }),
      );
      expect((await listOf(driver.token)).items.map((n) => n.title)).toEqual(['Job complete']);
    });

    it('refuses callers without a session with 401', async () => {
      const list = await http.inject({ method: 'GET', url: '/v1/notifications' });
      const readAll = await http.inject({ method: 'POST', url: '/v1/notifications/read-all' });
      expect([list.statusCode, readAll.statusCode]).toEqual([401, 401]);
      expect(list.json<ErrorEnvelope>().error.code).toBe('unauthenticated');
    });

    it('rejects a forged cursor, a bad limit and a bad id with 400 validation_failed', async () => {
      const customer = await newCustomer(app);
      const forged = Buffer.from(JSON.stringify(['1 OR 1=1'])).toString('base64url');
      const answers = await Promise.all(
        [
          { method: 'GET' as const, url: `/v1/notifications?cursor=${forged}` },
          { method: 'GET' as const, url: '/v1/notifications?cursor=not-a-cursor' },
          { method: 'GET' as const, url: '/v1/notifications?limit=0' },
          { method: 'GET' as const, url: '/v1/notifications?limit=101' },
          { method: 'POST' as const, url: '/v1/notifications/abc/read' },
        ].map((request) => http.inject({ ...request, headers: bearer(customer.token) })),
      );
      expect(answers.map((a) => [a.statusCode, a.json<ErrorEnvelope>().error.code])).toEqual(
        Array.from({ length: 5 }, () => [400, 'validation_failed']),
      );
    });

    it('documents the routes under the notifications tag', async () => {
      const response = await http.inject({ method: 'GET', url: '/openapi.json' });
      const paths = response.json<{
        paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
      }>().paths;
      const documented = [
        paths['/v1/notifications']?.get,
        paths['/v1/notifications/read-all']?.post,
        paths['/v1/notifications/{id}/read']?.post,
      ];
      expect(documented.map((operation) => operation?.tags)).toEqual([
        ['notifications'],
        ['notifications'],
        ['notifications'],
      ]);
      expect(documented.every((operation) => (operation?.summary ?? '') !== '')).toBe(true);
    });
  });
});
