import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuthResponse,
  Booking,
  BookingStatusUpdatedEvent,
  DriverConfirmedEvent,
  DriverLocationEvent,
  FleetUpdateEvent,
  NotificationEvent,
  Offer,
} from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { bearer } from '../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../test/support/fleet';
import { baseUrlOf, connectSocket, refusedConnection, type TestSocket } from '../../test/support/sockets';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';

describe(`realtime gateway (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let url: string;
  let adminToken: string;
  const sockets: TestSocket[] = [];

  async function socketFor(token: string): Promise<TestSocket> {
    const socket = await connectSocket(url, token);
    sockets.push(socket);
    return socket;
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('gateway', {
      env: { AUTH_RATE_LIMIT_IP: '10000/60', DISPATCH_OFFERS_PER_WAVE: '2', OFFER_TTL_SECONDS: '30' },
    });
    app = await env.start();
    await app.listen();
    url = baseUrlOf(app);
    await app.services.auth.createAccount({
      email: 'ops@example.com',
      password: 'admin password',
      name: 'Ops',
      role: 'admin',
    });
    adminToken = (
      await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'ops@example.com', password: 'admin password' },
      })
    ).json<AuthResponse>().token;
  });

  afterAll(async () => {
    for (const socket of sockets) {
      socket.close();
    }
    await env.destroy();
  });

  it('refuses a missing, unknown or revoked token at the handshake', async () => {
    expect((await refusedConnection(url, undefined)).data).toMatchObject({ code: 'unauthenticated' });
    expect((await refusedConnection(url, 'not-a-real-token')).data).toMatchObject({
      code: 'unauthenticated',
    });
    const customer = await newCustomer(app);
    await app.http.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(customer.token) });
    expect((await refusedConnection(url, customer.token)).data).toMatchObject({ code: 'unauthenticated' });
  });

  it('every event of a trip reaches exactly the sockets that should get it', async () => {
    const pickup = offset(CITY, 700);
    const customer = await newCustomer(app);
    const bystander = await newCustomer(app);
    const winner = await onlineDriver(app, { at: pickup });
    const loser = await onlineDriver(app, { at: offset(pickup, 0.3) });
    const far = await onlineDriver(app, { at: offset(pickup, 80) });

    const customerSocket = await socketFor(customer.token);
    const bystanderSocket = await socketFor(bystander.token);
    const winnerSocket = await socketFor(winner.token);
    const loserSocket = await socketFor(loser.token);
    const farSocket = await socketFor(far.token);
    const adminSocket = await socketFor(adminToken);
    expect(await adminSocket.request('subscribeFleet')).toEqual({ ok: true });
    const snapshot = await adminSocket.waitFor<FleetUpdateEvent>('fleetUpdate', (event) => event.full);
    expect(snapshot.drivers.map((d) => d.id)).toEqual(
      expect.arrayContaining([winner.user.id, loser.user.id, far.user.id]),
    );

    const booking = await book(app, customer.token, { pickup });
    const subscribed = await customerSocket.request<{ booking: Booking }>('subscribeBooking', {
      bookingId: booking.id,
    });
    expect(subscribed).toMatchObject({ ok: true, booking: { id: booking.id } });
    expect(await adminSocket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
      ok: true,
    });

    const offerToWinner = await winnerSocket.waitFor<Offer>(
      'bookingOffer',
      (offer) => offer.bookingId === booking.id,
    );
    expect(offerToWinner).toMatchObject({ bookingId: booking.id, vehicleType: 'van', price: booking.price });
    await loserSocket.waitFor<Offer>('bookingOffer', (offer) => offer.bookingId === booking.id);
    const accepted = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(winner.token),
    });
    expect(accepted.statusCode).toBe(200);
    await loserSocket.waitFor<{ bookingId: string; reason: string }>(
      'offerRevoked',
      (event) => event.bookingId === booking.id,
    );

    const confirmed = await customerSocket.waitFor<DriverConfirmedEvent>('driverConfirmed');
    expect(confirmed).toMatchObject({
      bookingId: booking.id,
      driverId: winner.user.id,
      driver: { name: winner.user.name, vehicle: { type: 'van', plate: winner.user.driver?.vehicle.plate } },
    });

    // The driver moves the job over the socket, the same rules as REST.
    for (const status of [
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
    ] as const) {
      const moved = await winnerSocket.request<{ booking: Booking }>('bookingStatusChanged', {
        bookingId: booking.id,
        status,
      });
      expect(moved).toMatchObject({ ok: true, booking: { status } });
    }
    const skipped = await winnerSocket.request('bookingStatusChanged', {
      bookingId: booking.id,
      status: 'en_route_to_pickup',
    });
    expect(skipped).toMatchObject({ ok: false, error: { code: 'invalid_transition' } });

    const position = offset(pickup, 1);
    const ping = await winnerSocket.request<{ accepted: boolean }>('driverLocationUpdate', {
      ...position,
      heading: 33,
    });
    expect(ping).toEqual({ ok: true, accepted: true });
    const seenLocation = await customerSocket.waitFor<DriverLocationEvent>('driverLocation');
    expect(seenLocation).toMatchObject({
      bookingId: booking.id,
      driverId: winner.user.id,
      lat: position.lat,
      lng: position.lng,
      heading: 33,
    });
    await adminSocket.waitFor<DriverLocationEvent>('driverLocation');
    const fleet = await adminSocket.waitFor<FleetUpdateEvent>(
      'fleetUpdate',
      (event) => !event.full && event.drivers.some((d) => d.id === winner.user.id && d.lat === position.lat),
    );
    expect(fleet.drivers.find((d) => d.id === winner.user.id)).toMatchObject({
      status: 'busy',
      vehicleType: 'van',
    });

    await winnerSocket.request('bookingStatusChanged', { bookingId: booking.id, status: 'delivered' });
    await customerSocket.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.status === 'delivered',
    );
    await customerSocket.waitFor<NotificationEvent>(
      'notification',
      (event) => event.bookingId === booking.id && event.type === 'booking_delivered',
    );
    await waitFor(() => adminSocket.of<BookingStatusUpdatedEvent>('bookingStatusUpdated').length >= 6);

    const statusesOf = (socket: TestSocket) =>
      socket
        .of<BookingStatusUpdatedEvent>('bookingStatusUpdated')
        .filter((event) => event.bookingId === booking.id)
        .map((event) => event.seq)
        .sort((a, b) => a - b);
    // The customer's own room carries every change, creation included; the driver's from the assignment on.
    expect(statusesOf(customerSocket)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(statusesOf(winnerSocket)).toEqual([2, 3, 4, 5, 6, 7]);

    // And nothing reached those it does not concern.
    for (const outsider of [bystanderSocket, farSocket]) {
      expect(
        outsider.received.filter((item) => (item.data as { bookingId?: string }).bookingId === booking.id),
      ).toEqual([]);
      expect(outsider.of('fleetUpdate')).toEqual([]);
      expect(outsider.of('metrics')).toEqual([]);
    }
    expect(loserSocket.of('driverConfirmed')).toEqual([]);
    expect(loserSocket.of('bookingStatusUpdated')).toEqual([]);
    expect(loserSocket.of('driverLocation')).toEqual([]);
    expect(customerSocket.of('bookingOffer')).toEqual([]);
    expect(customerSocket.of('fleetUpdate')).toEqual([]);
    await winnerSocket.waitFor<NotificationEvent>('notification', (event) => event.bookingId === booking.id);
    expect(adminSocket.of('notification')).toEqual([]);
    await adminSocket.waitFor('metrics');
    expect(customerSocket.of('metrics')).toEqual([]);
  });

  it('answers bad client events with a clear ack error and changes nothing', async () => {
    const owner = await newCustomer(app);
    const other = await newCustomer(app);
    const booking = await book(app, owner.token, { pickup: offset(CITY, -700) });
    const otherSocket = await socketFor(other.token);
    expect(await otherSocket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await otherSocket.request('driverLocationUpdate', { lat: 12.9, lng: 77.5 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await otherSocket.request('subscribeFleet')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await otherSocket.request('bookingStatusChanged', { bookingId: booking.id, status: 'delivered' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    for (const payload of [undefined, null, 'x', { bookingId: 'abc' }, { bookingId: booking.id, extra: 1 }]) {
      expect(await otherSocket.request('subscribeBooking', payload)).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
    }

    const driver = await onlineDriver(app, { at: offset(CITY, -720) });
    const driverSocket = await socketFor(driver.token);
    for (const payload of [
      { lat: 91, lng: 0 },
      { lat: 'north', lng: 0 },
      { lng: 1 },
      { lat: 1, lng: 1, heading: 400 },
    ]) {
      expect(await driverSocket.request('driverLocationUpdate', payload)).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
    }
    const future = new Date(Date.now() + 5 * 60_000).toISOString();
    expect(await driverSocket.request('driverLocationUpdate', { lat: 1, lng: 1, at: future })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    // Nothing above moved the driver.
    const live = await app.services.drivers.service.liveLocation(driver.user.id);
    expect(live).toMatchObject(offset(CITY, -720));
    // A well-formed position with its own time is taken, and keeps that time.
    const taken = new Date(Date.now() + 500).toISOString();
    expect(await driverSocket.request('driverLocationUpdate', { ...offset(CITY, -721), at: taken })).toEqual({
      ok: true,
      accepted: true,
    });
    expect((await app.services.drivers.service.liveLocation(driver.user.id))?.at).toBe(Date.parse(taken));

    // A flood past 10 a second is refused, each extra ping with rate_limited.
    const floodAt = Date.now() + 1000;
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        driverSocket.request('driverLocationUpdate', {
          ...offset(CITY, -720, index * 0.01),
          at: new Date(floodAt + index).toISOString(),
        }),
      ),
    );
    const limited = answers.flatMap((answer) => (answer.ok ? [] : [answer.error.code]));
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(limited.every((code) => code === 'rate_limited')).toBe(true);
    const stored = await app.services.drivers.service.liveLocation(driver.user.id);
    const acceptedCount = answers.filter((answer) => answer.ok).length;
    expect(acceptedCount).toBeLessThanOrEqual(10);
    expect(stored?.lat).toBeCloseTo(offset(CITY, -720).lat, 6);
    expect(stored?.at).toBeLessThan(floodAt + 25);
  });

  it('closes the sockets of a session on logout, and every socket of a driver on suspension', async () => {
    const customer = await newCustomer(app);
    const second = (
      await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: customer.user.email, password: 'correct horse battery' },
      })
    ).json<AuthResponse>();
    const first = await socketFor(customer.token);
    const other = await socketFor(second.token);
    expect(
      (await app.http.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(customer.token) }))
        .statusCode,
    ).toBe(204);
    await waitFor(() => !first.socket.connected);
    expect(other.socket.connected).toBe(true);

    const driver = await onlineDriver(app, { at: offset(CITY, -760) });
    const driverSocket = await socketFor(driver.token);
    const suspended = await app.http.inject({
      method: 'PATCH',
      url: `/v1/admin/drivers/${driver.user.id}`,
      headers: bearer(adminToken),
      payload: { suspended: true },
    });
    expect(suspended.statusCode).toBe(200);
    await waitFor(() => !driverSocket.socket.connected);
    expect((await refusedConnection(url, driver.token)).data).toMatchObject({ code: 'unauthenticated' });
  });

  it('a short disconnect misses nothing: the reconnected socket is recovered and gets what was sent meanwhile', async () => {
    const pickup = offset(CITY, 780);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: pickup });
    const customerSocket = await socketFor(customer.token);
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    await customerSocket.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.bookingId === booking.id && event.seq === 2,
    );

    // Drop the connection under the client, as a network blip would.
    const reconnected = new Promise<void>((resolve) =>
      customerSocket.socket.io.once('reconnect', () => resolve()),
    );
    customerSocket.socket.io.engine.close();
    await app.http.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/status`,
      headers: bearer(driver.token),
      payload: { status: 'en_route_to_pickup' },
    });
    await reconnected;
    await customerSocket.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.bookingId === booking.id && event.seq === 3,
    );
    expect(customerSocket.socket.recovered).toBe(true);
    const seqs = customerSocket
      .of<BookingStatusUpdatedEvent>('bookingStatusUpdated')
      .filter((event) => event.bookingId === booking.id)
      .map((event) => event.seq);
    expect(seqs).toEqual([1, 2, 3]);
  });
});
