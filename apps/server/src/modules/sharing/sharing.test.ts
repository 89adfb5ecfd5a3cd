/**
 * Share links, the public tracking view and the live ETA through the public API and real Socket.IO
 * clients: what a link shows, who may follow what over a share-token socket, revocation and expiry,
 * and when `etaUpdated` is pushed. The expiry cases move the app's clock, so they run last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Booking,
  Coordinates,
  EtaUpdatedEvent,
  PublicTracking,
  ShareLink,
  Tracking,
} from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import {
  CITY,
  book,
  driveToDelivered,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
} from '../../../test/support/fleet';
import { ShiftedClock } from '../../../test/support/shifted-clock';
import { baseUrlOf, connectSocket, refusedConnection, type TestSocket } from '../../../test/support/sockets';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { ETA_RECOMPUTE_METERS } from '../bookings/live-eta';

const TRACK_LIMIT = 40;

/** Connects with a share token, as the public page does. */
function connectShare(url: string, shareToken: string): Promise<TestSocket> {
  return connectSocket(url, { shareToken });
}

async function refusedShare(url: string, shareToken: string): Promise<unknown> {
  return (await refusedConnection(url, { shareToken })).data;
}

function keysOf(value: object): string[] {
  return Object.keys(value).sort();
}

describe(`share links and live ETA (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let url: string;
  const clock = new ShiftedClock();
  let place = 0;

  beforeAll(async () => {
    env = await TestEnvironment.create('sharing', {
      env: {
        AUTH_RATE_LIMIT_IP: '1000/60',
        TRACK_RATE_LIMIT_IP: `${TRACK_LIMIT}/60`,
        OFFER_TTL_SECONDS: '30',
      },
    });
    app = await env.start({ clock });
    await app.listen();
    url = baseUrlOf(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  /** A booking with an assigned driver, each test at its own place so no other test's driver is offered it. */
  async function assignedTrip() {
    place += 1;
    const pickup = offset(CITY, -400 + place * 40);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(pickup, 0.3) });
    const booking = await book(app, customer.token, { pickup, dropoff: offset(pickup, 8) });
    await waitForOffer(app, driver.token, booking.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    expect(accepted.statusCode).toBe(200);
    return { customer, driver, booking: accepted.json<Booking>(), pickup };
  }

  async function share(token: string, bookingId: string): Promise<ShareLink> {
    const response = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${bookingId}/share`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(201);
    return response.json<ShareLink>();
  }

  function revoke(token: string, bookingId: string, shareToken: string) {
    return app.http.inject({
      method: 'DELETE',
      url: `/v1/bookings/${bookingId}/share/${shareToken}`,
      headers: bearer(token),
    });
  }

  function track(token: string, remoteAddress = '127.0.0.1') {
    return app.http.inject({ url: `/v1/track/${token}`, remoteAddress });
  }

  async function ping(token: string, at: Coordinates): Promise<void> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/driver/location',
      headers: bearer(token),
      payload: { lat: at.lat, lng: at.lng, heading: 0 },
    });
    expect(response.statusCode).toBe(202);
  }

  it("a link's public view has exactly the contract's keys, nested too, and names the driver by first name", async () => {
    const { customer, driver, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    expect(new URL(link.url).pathname).toBe(`/t/${link.token}`);
    expect(Date.parse(link.expiresAt) - clock.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(Date.parse(link.expiresAt) - clock.now()).toBeLessThanOrEqual(7 * 24 * 3600_000);

    const response = await track(link.token);
    expect(response.statusCode).toBe(200);
    const view = response.json<PublicTracking>();
    expect(keysOf(view)).toEqual([
      'driver',
      'driverLocation',
      'etaMinutes',
      'status',
      'stops',
      'vehicleType',
    ]);
    expect(view.driver).not.toBeNull();
    expect(keysOf(view.driver ?? {})).toEqual(['firstName', 'vehicle']);
    expect(keysOf(view.driver?.vehicle ?? {})).toEqual(['plate', 'type']);
    expect(keysOf(view.driverLocation ?? {})).toEqual(['at', 'heading', 'lat', 'lng']);
    expect(view.stops.map(keysOf)).toEqual([['seq', 'status']]);
    expect(view.status).toBe('driver_assigned');
    expect(view.vehicleType).toBe('van');
    expect(view.stops).toEqual([{ seq: 1, status: 'pending' }]);
    expect(typeof view.etaMinutes).toBe('number');

    expect(view.driver?.firstName).toBe(driver.user.name.split(' ')[0]);
    expect(view.driver?.vehicle.plate).toBe(driver.user.driver?.vehicle.plate);
    // Nothing of the customer's, nor the price, anywhere in the answer.
    expect(response.body).not.toContain(customer.user.id);
    expect(response.body).not.toContain(customer.user.name);
    expect(response.body).not.toContain(String(booking.price.amount));
  });

  it("only the booking's customer may make or revoke its links (404 for anyone else)", async () => {
    const { booking, driver } = await assignedTrip();
    const stranger = await newCustomer(app);
    const byStranger = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/share`,
      headers: bearer(stranger.token),
    });
    expect(byStranger.statusCode).toBe(404);
    expect(byStranger.json<{ error: { code: string } }>().error.code).toBe('not_found');
    const byDriver = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/share`,
      headers: bearer(driver.token),
    });
    expect(byDriver.statusCode).toBe(403);
  });

  it('an unknown or malformed token is 404 not_found', async () => {
    for (const token of ['0.AAAAAAAAAAAAAAAAAAAAAA', 'not-a-token', 'zzzzz.AAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await track(token);
      expect(response.statusCode).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('not_found');
    }
  });

  it('a share socket cannot subscribe to another booking, and gets only the public events of its own', async () => {
    const mine = await assignedTrip();
    const other = await assignedTrip();
    const link = await share(mine.customer.token, mine.booking.id);
    const socket = await connectShare(url, link.token);
    try {
      const refused = await socket.request('subscribeBooking', { bookingId: other.booking.id });
      expect(refused).toEqual({ ok: false, error: { code: 'not_found', message: 'Booking was not found.' } });
      const driverOnly = await socket.request('driverLocationUpdate', { lat: 1, lng: 1 });
      expect(driverOnly.ok).toBe(false);
      expect(driverOnly.ok ? null : driverOnly.error.code).toBe('forbidden');

      const subscribed = await socket.request<{ tracking: PublicTracking }>('subscribeBooking', {
        bookingId: mine.booking.id,
      });
      expect(subscribed.ok).toBe(true);
      expect(subscribed.ok ? keysOf(subscribed) : []).toEqual(['ok', 'tracking']);
      expect(subscribed.ok ? subscribed.tracking.status : null).toBe('driver_assigned');

      // A page holding the link follows its booking without subscribing (the public view has no booking ID).
      const page = await connectShare(url, link.token);
      await ping(other.driver.token, offset(other.pickup, 0.2));
      await ping(mine.driver.token, offset(mine.pickup, 0.2));
      await socket.waitFor('driverLocation');
      await page.waitFor('driverLocation');
      page.close();
      await socket.waitFor('etaUpdated');
      await driveToDelivered(app, mine.driver.token, mine.booking.id);
      await socket.waitFor<{ status: string }>(
        'bookingStatusUpdated',
        (event) => event.status === 'delivered',
      );

      const names = new Set(socket.received.map((item) => item.event));
      expect([...names].sort()).toEqual(['bookingStatusUpdated', 'driverLocation', 'etaUpdated']);
      const bookingIds = new Set(
        socket.received.map((item) => (item.data as { bookingId: string }).bookingId),
      );
      expect([...bookingIds]).toEqual([mine.booking.id]);
    } finally {
      socket.close();
    }
  });

  it('etaUpdated is pushed when the ETA moves by a minute or more, not for pings that move it less, and tracking answers the pushed value', async () => {
    const { customer, driver, booking, pickup } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    const socket = await connectShare(url, link.token);
    try {
      expect((await socket.request('subscribeBooking', { bookingId: booking.id })).ok).toBe(true);
      // The customer hears it on their own socket too, without subscribing to the booking.
      const own = await connectSocket(url, customer.token);
      const start = offset(pickup, 6);
      await ping(driver.token, start);
      // Subscribing published the ETA from where the driver was; the ping 6 km out moves it by many minutes.
      const first = await socket.waitFor<EtaUpdatedEvent>('etaUpdated', (event) => event.etaMinutes > 10);
      expect(first).toMatchObject({ bookingId: booking.id, toStop: 0 });
      const pushedBefore = socket.of('etaUpdated').length;
      await own.waitFor<EtaUpdatedEvent>('etaUpdated', (event) => event.etaMinutes === first.etaMinutes);
      own.close();

      // Steps across the way to the pickup: past the distance threshold, so the ETA is recomputed, but it
      // moves by well under a minute and nothing is pushed.
      const step = ETA_RECOMPUTE_METERS / 1000 / 2;
      for (let index = 1; index <= 4; index += 1) {
        await ping(driver.token, offset(start, 0, step * index));
      }
      const tracked = await app.http.inject({
        url: `/v1/bookings/${booking.id}/tracking`,
        headers: bearer(customer.token),
      });
      expect(tracked.json<Tracking>().etaMinutes).toBe(first.etaMinutes);

      // A big step: the ETA falls by minutes, and is pushed once.
      await ping(driver.token, offset(pickup, 1));
      await waitFor(() => socket.of('etaUpdated').length > pushedBefore, 10_000);
      const second = socket.of<EtaUpdatedEvent>('etaUpdated')[pushedBefore];
      if (second === undefined) {
        throw new Error('no etaUpdated after the big step');
      }
      expect(first.etaMinutes - second.etaMinutes).toBeGreaterThanOrEqual(1);
      expect(second.toStop).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(socket.of<EtaUpdatedEvent>('etaUpdated')).toHaveLength(pushedBefore + 1);

      const after = await app.http.inject({
        url: `/v1/bookings/${booking.id}/tracking`,
        headers: bearer(customer.token),
      });
      expect(after.json<Tracking>().etaMinutes).toBe(second.etaMinutes);
      expect((await track(link.token)).json<PublicTracking>().etaMinutes).toBe(second.etaMinutes);

      // Collecting the goods changes the handover: the ETA to the drop-off (stop 1) is pushed at once.
      for (const status of ['en_route_to_pickup', 'arrived_at_pickup', 'goods_collected'] as const) {
        const moved = await app.http.inject({
          method: 'POST',
          url: `/v1/bookings/${booking.id}/status`,
          headers: bearer(driver.token),
          payload: { status },
        });
        expect(moved.statusCode).toBe(200);
      }
      const toDropoff = await socket.waitFor<EtaUpdatedEvent>('etaUpdated', (event) => event.toStop === 1);
      expect(toDropoff.etaMinutes).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
  });

  it('the public view is rate limited per client address: 429 with Retry-After', async () => {
    const { customer, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    for (let index = 0; index < TRACK_LIMIT; index += 1) {
      expect((await track(link.token, '203.0.113.7')).statusCode).toBe(200);
    }
    const limited = await track(link.token, '203.0.113.7');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back.
    expect((await track(link.token, '203.0.113.8')).statusCode).toBe(200);
  });

  it('a revoked link is 404 at once, its socket is closed and cannot come back', async () => {
    const { customer, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    const kept = await share(customer.token, booking.id);
    const socket = await connectShare(url, link.token);
    const closed = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));
    const revoked = await revoke(customer.token, booking.id, link.token);
    expect(revoked.statusCode).toBe(204);
    expect(await closed).toBe('io server disconnect');
    const gone = await track(link.token);
    expect(gone.statusCode).toBe(404);
    expect(gone.json<{ error: { code: string } }>().error.code).toBe('not_found');
    expect(await refusedShare(url, link.token)).toMatchObject({ code: 'not_found' });
    const again = await revoke(customer.token, booking.id, link.token);
    expect(again.statusCode).toBe(404);
    // The booking's other link still works.
    expect((await track(kept.token)).statusCode).toBe(200);
  });

  it('a dropped share socket is recovered while its link works, and not once it was revoked', async () => {
    const { customer, driver, booking, pickup } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    const socket = await connectShare(url, link.token);
    try {
      socket.socket.io.reconnection(false);
      // A broadcast received: the client now holds an offset to recover from.
      await ping(driver.token, offset(pickup, 0.2));
      await socket.waitFor('driverLocation');
      const drop = async () => {
        const dropped = new Promise<void>((resolve) => socket.socket.once('disconnect', () => resolve()));
        socket.socket.io.engine.close();
        await dropped;
      };
      const reconnect = () =>
        new Promise<unknown>((resolve) => {
          socket.socket.once('connect', () => resolve('connected'));
          socket.socket.once('connect_error', (error: Error & { data?: unknown }) => resolve(error.data));
          socket.socket.connect();
        });

      await drop();
      expect(await reconnect()).toBe('connected');
      expect(socket.socket.recovered).toBe(true);

      await socket.waitFor('driverLocation');
      await drop();
      expect((await revoke(customer.token, booking.id, link.token)).statusCode).toBe(204);
      // Not put back into its rooms: a fresh handshake, which the revoked link fails.
      expect(await reconnect()).toMatchObject({ code: 'not_found' });
      expect(socket.socket.connected).toBe(false);
    } finally {
      socket.close();
    }
  });

  it.runIf(isCluster)('a link revoked on one instance is refused by another at once', async () => {
    const { customer, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    const other = await env.start({ clock, roles: ['api', 'realtime'] });
    await other.listen();
    const socket = await connectShare(baseUrlOf(other), link.token);
    expect((await other.http.inject({ url: `/v1/track/${link.token}` })).statusCode).toBe(200);
    const closed = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));
    const revoked = await revoke(customer.token, booking.id, link.token);
    expect(revoked.statusCode).toBe(204);
    expect((await other.http.inject({ url: `/v1/track/${link.token}` })).statusCode).toBe(404);
    expect(await closed).toBe('io server disconnect');
    await other.close();
  });

  it('a link stops working an hour after its booking ends (404): its open socket is closed, a new one refused', async () => {
    const { customer, driver, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    await driveToDelivered(app, driver.token, booking.id);
    const delivered = await track(link.token);
    expect(delivered.json<PublicTracking>()).toMatchObject({
      status: 'delivered',
      driverLocation: null,
      etaMinutes: null,
      stops: [{ seq: 1, status: 'delivered' }],
    });
    clock.advance(59 * 60_000);
    expect((await track(link.token)).statusCode).toBe(200);
    // A socket open as the link runs out is closed when it does.
    clock.advance(60_000 - 1_500);
    const socket = await connectShare(url, link.token);
    const closed = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));
    expect(await closed).toBe('io server disconnect');
    socket.close();
    clock.advance(60_000);
    const expired = await track(link.token);
    expect(expired.statusCode).toBe(404);
    expect(await refusedShare(url, link.token)).toMatchObject({ code: 'not_found' });
    // A new link for a booking that ended over an hour ago is refused.
    const late = await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/share`,
      headers: bearer(customer.token),
    });
    expect(late.statusCode).toBe(409);
  });

  it('a link of a booking still under way stops working 7 days after it was made', async () => {
    const { customer, booking } = await assignedTrip();
    const link = await share(customer.token, booking.id);
    clock.advance(7 * 24 * 3600_000 - 60_000);
    expect((await track(link.token)).statusCode).toBe(200);
    clock.advance(2 * 60_000);
    expect((await track(link.token)).statusCode).toBe(404);
  });
});
