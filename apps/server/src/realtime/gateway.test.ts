/**
 * The socket gateway's contract, end to end: handshake, rooms, client events, recovery and revocation. One file,
 * because every case shares one started app and sockets, which are costly to start.
 */
import { io as connect, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  AckError,
  AuthResponse,
  Booking,
  BookingStatusUpdatedEvent,
  DriverConfirmedEvent,
  DriverLocationEvent,
  FleetUpdateEvent,
  NotificationEvent,
  Offer,
  ServerToClientEvents,
  ClientToServerEvents,
} from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { ManualClock } from '../lib/clock';
import { bearer, signInAdmin } from '../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../test/support/fleet';
import { baseUrlOf, connectSocket, refusedConnection, TestSocket } from '../../test/support/sockets';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster, tier } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** Connects with the given client options; resolves with the socket or the handshake error. */
async function handshake(
  url: string,
  options: ClientOptions,
): Promise<{ socket: TestSocket; error: null } | { socket: null; error: Error & { data?: unknown } }> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
    reconnection: false,
    forceNew: true,
    ...options,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket: new TestSocket(socket), error: null }));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      resolve({ socket: null, error });
    });
  });
}

async function accept(app: LoadlineApp, token: string, bookingId: string): Promise<number> {
  const response = await app.http.inject({
    method: 'POST',
    url: `/v1/driver/offers/${bookingId}/accept`,
    headers: bearer(token),
  });
  return response.statusCode;
}

async function release(app: LoadlineApp, token: string, bookingId: string): Promise<number> {
  const response = await app.http.inject({
    method: 'POST',
    url: `/v1/driver/jobs/${bookingId}/release`,
    headers: bearer(token),
  });
  return response.statusCode;
}

function aboutBooking<T extends { bookingId: string }>(
  socket: TestSocket,
  event: string,
  bookingId: string,
): T[] {
  return socket.of<T>(event).filter((data) => data.bookingId === bookingId);
}

function seqsOf(socket: TestSocket, bookingId: string): number[] {
  return aboutBooking<BookingStatusUpdatedEvent>(socket, 'bookingStatusUpdated', bookingId)
    .map((event) => event.seq)
    .sort((a, b) => a - b);
}

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
      env: {
        AUTH_RATE_LIMIT_IP: '10000/60',
        DISPATCH_OFFERS_PER_WAVE: '2',
        OFFER_TTL_SECONDS: '30',
        ALLOWED_ORIGINS: 'https://app.example.com',
      },
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

    // The driver moves the trip over the socket, the same rules as REST.
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
    // A malformed ID is named by its format, not by the pattern's own text.
    expect(await otherSocket.request('subscribeBooking', { bookingId: 'abc' })).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: '/bookingId has the wrong format: A 64-bit ID in decimal.',
      },
    });

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
    const live = await app.services.drivers.presence.liveLocation(driver.user.id);
    expect(live).toMatchObject(offset(CITY, -720));
    // A well-formed position with its own time is taken, and keeps that time.
    const taken = new Date(Date.now() + 500).toISOString();
    expect(await driverSocket.request('driverLocationUpdate', { ...offset(CITY, -721), at: taken })).toEqual({
      ok: true,
      accepted: true,
    });
    expect((await app.services.drivers.presence.liveLocation(driver.user.id))?.at).toBe(Date.parse(taken));

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
    const stored = await app.services.drivers.presence.liveLocation(driver.user.id);
    const acceptedCount = answers.filter((answer) => answer.ok).length;
    expect(acceptedCount).toBeLessThanOrEqual(10);
    expect(stored?.lat).toBeCloseTo(offset(CITY, -720).lat, 6);
    expect(stored?.at).toBeLessThan(floodAt + 25);
  });

  it('answers an event sent with an ack and no payload, and one with extra arguments, by that ack', async () => {
    const adminSocket = await socketFor(adminToken);
    // As a client with no payload to send does it: socket.emit('subscribeFleet', ack).
    expect(await adminSocket.socket.timeout(5_000).emitWithAck('subscribeFleet')).toEqual({ ok: true });
    expect(await adminSocket.socket.timeout(5_000).emitWithAck('unsubscribeFleet', {}, 'extra')).toEqual({
      ok: true,
    });
    const customer = await newCustomer(app);
    const customerSocket = await socketFor(customer.token);
    expect(await customerSocket.socket.timeout(5_000).emitWithAck('subscribeFleet')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('answers an event it does not know by its ack, and keeps serving the socket', async () => {
    const customer = await newCustomer(app);
    const { socket } = await socketFor(customer.token);
    // Names no contract event has, as a client's typo would send them (typed as a real event to compile).
    const misspelt = 'subscribeBookings' as 'subscribeBooking';
    expect(await socket.timeout(5_000).emitWithAck(misspelt, { bookingId: '1' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'There is no client event subscribeBookings.' },
    });
    const long = 'x'.repeat(500) as 'subscribeFleet';
    expect(await socket.timeout(5_000).emitWithAck(long)).toEqual({
      ok: false,
      error: { code: 'not_found', message: `There is no client event ${'x'.repeat(64)}.` },
    });
    expect(socket.connected).toBe(true);
    expect(await socket.timeout(5_000).emitWithAck('unsubscribeBooking', { bookingId: '1' })).toEqual({
      ok: true,
    });
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

  describe('a handshake with the session cookie only', () => {
    for (const transports of [['websocket'], ['polling', 'websocket']]) {
      it(`from another origin is refused with forbidden (${transports.join(', ')})`, async () => {
        const customer = await newCustomer(app);
        const result = await handshake(url, {
          transports,
          extraHeaders: { cookie: `sid=${customer.token}`, origin: 'http://evil.example' },
        });
        expect(result.socket).toBeNull();
        expect(result.error?.data).toEqual({
          code: 'forbidden',
          message: 'Origin http://evil.example is not allowed.',
        });
      });

      it(`from the server's own origin or an allowed one connects (${transports.join(', ')})`, async () => {
        const customer = await newCustomer(app);
        for (const origin of [url, 'https://app.example.com']) {
          const result = await handshake(url, {
            transports,
            extraHeaders: { cookie: `sid=${customer.token}`, origin },
          });
          expect(result.error).toBeNull();
          if (result.socket !== null) {
            sockets.push(result.socket);
            // The cookie's session is the socket's user.
            const booking = await book(app, customer.token, { pickup: offset(CITY, -800) });
            expect(await result.socket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
              ok: true,
              booking: { id: booking.id, customerId: customer.user.id },
            });
          }
        }
      });
    }

    it('lets go of the first HTTP request once connected and keeps working on the handshake it read', async () => {
      const customer = await newCustomer(app);
      const result = await handshake(url, {
        transports: ['polling', 'websocket'],
        extraHeaders: { cookie: `sid=${customer.token}`, origin: url },
      });
      expect(result.error).toBeNull();
      if (result.socket === null) {
        throw new Error('not connected');
      }
      sockets.push(result.socket);
      const held = [...app.io.of('/').sockets.values()].filter(
        (socket) => 'userId' in socket.data && socket.data.userId === customer.user.id,
      );
      expect(held).toHaveLength(1);
      expect(held[0]?.conn.request).toBeNull();
      expect(held[0]?.handshake.headers.cookie).toBe(`sid=${customer.token}`);
      const booking = await book(app, customer.token, { pickup: offset(CITY, -810) });
      expect(await result.socket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
        ok: true,
      });
    });

    it('a token handshake connects whatever its Origin says (third-party clients)', async () => {
      const customer = await newCustomer(app);
      for (const transports of [['websocket'], ['polling', 'websocket']]) {
        const result = await handshake(url, {
          transports,
          auth: { token: customer.token },
          extraHeaders: { origin: 'http://evil.example' },
        });
        expect(result.error).toBeNull();
        if (result.socket !== null) {
          sockets.push(result.socket);
        }
      }
    });
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

  it('what a room gets while the server checks a returning socket reaches that socket too', async () => {
    const pickup = offset(CITY, 820);
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: pickup });
    const returning = await socketFor(customer.token);
    const watcher = await socketFor(customer.token);
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/accept`,
      headers: bearer(driver.token),
    });
    const assigned = (event: BookingStatusUpdatedEvent) => event.bookingId === booking.id && event.seq === 2;
    await returning.waitFor<BookingStatusUpdatedEvent>('bookingStatusUpdated', assigned);
    await watcher.waitFor<BookingStatusUpdatedEvent>('bookingStatusUpdated', assigned);

    // The next status change is published while the server reads the returning socket's sign-in.
    const sessions = app.platform.sessions;
    const get = sessions.get.bind(sessions);
    let armed = true;
    sessions.get = async (key) => {
      if (armed && key.userId === customer.user.id) {
        armed = false;
        await app.http.inject({
          method: 'POST',
          url: `/v1/bookings/${booking.id}/status`,
          headers: bearer(driver.token),
          payload: { status: 'en_route_to_pickup' },
        });
        await watcher.waitFor<BookingStatusUpdatedEvent>(
          'bookingStatusUpdated',
          (event) => event.bookingId === booking.id && event.seq === 3,
        );
      }
      return get(key);
    };
    try {
      const reconnected = new Promise<void>((resolve) =>
        returning.socket.io.once('reconnect', () => resolve()),
      );
      returning.socket.io.engine.close();
      await reconnected;
      await returning.waitFor<BookingStatusUpdatedEvent>(
        'bookingStatusUpdated',
        (event) => event.bookingId === booking.id && event.seq === 3,
        5_000,
      );
    } finally {
      sessions.get = get;
    }
    expect(armed).toBe(false);
    expect(returning.socket.recovered).toBe(true);
    expect(seqsOf(returning, booking.id)).toEqual([1, 2, 3]);
  });
});

describe(`realtime gateway: booking rooms follow access (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let url: string;
  let adminToken: string;
  const sockets: TestSocket[] = [];

  async function socketFor(at: string, token: string): Promise<TestSocket> {
    const socket = await connectSocket(at, token);
    sockets.push(socket);
    return socket;
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('rooms', {
      env: { RATE_LIMITS: 'off', DISPATCH_OFFERS_PER_WAVE: '2', OFFER_TTL_SECONDS: '5' },
    });
    app = await env.start();
    await app.listen();
    url = baseUrlOf(app);
    adminToken = await signInAdmin(app);
  });

  afterAll(async () => {
    for (const socket of sockets) {
      socket.close();
    }
    await env.destroy();
  });

  /** Waits until the server has seen the user's sockets go (it then keeps their session for recovery). */
  async function gone(userId: string) {
    await waitFor(async () => (await app.io.in(`user:${userId}`).fetchSockets()).length === 0);
  }

  /** The second driver takes the released booking, subscribes, reports a position and sets off. */
  async function secondDriverTakes(
    at: LoadlineApp,
    second: AuthResponse,
    socket: TestSocket,
    bookingId: string,
  ) {
    await waitForOffer(at, second.token, bookingId, 20_000);
    expect(await accept(at, second.token, bookingId)).toBe(200);
    expect(await socket.request('subscribeBooking', { bookingId })).toMatchObject({ ok: true });
    expect(
      await socket.request('driverLocationUpdate', { lat: CITY.lat, lng: CITY.lng, heading: 10 }),
    ).toEqual({
      ok: true,
      accepted: true,
    });
    expect(
      await socket.request('bookingStatusChanged', { bookingId, status: 'en_route_to_pickup' }),
    ).toMatchObject({
      ok: true,
    });
  }

  /**
   * Waits until `observer` got what the second driver caused: its confirmation (unless
   * `confirmed` is false: the driver itself subscribes only once assigned), a position, the move.
   */
  async function sawSecondDriver(
    observer: TestSocket,
    bookingId: string,
    secondId: string,
    confirmed = true,
  ) {
    if (confirmed) {
      await observer.waitFor<DriverConfirmedEvent>(
        'driverConfirmed',
        (event) => event.bookingId === bookingId && event.driverId === secondId,
      );
    }
    await observer.waitFor<DriverLocationEvent>(
      'driverLocation',
      (event) => event.bookingId === bookingId && event.driverId === secondId,
    );
    await observer.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.bookingId === bookingId && event.seq === 5,
    );
  }

  /**
   * Nothing of the second driver's reached the first: only its own assignment and release
   * (seq 2 and 3, through its driver room), or `seqs`.
   */
  async function firstDriverSawNothingAfterRelease(
    first: TestSocket,
    bookingId: string,
    secondId: string,
    seqs = [2, 3],
  ) {
    // A round trip: whatever the server sent this socket before the answer has arrived.
    expect(await first.request('subscribeFleet')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(seqsOf(first, bookingId)).toEqual(seqs);
    expect(aboutBooking<DriverLocationEvent>(first, 'driverLocation', bookingId)).toEqual([]);
    expect(
      aboutBooking<DriverConfirmedEvent>(first, 'driverConfirmed', bookingId).filter(
        (event) => event.driverId === secondId,
      ),
    ).toEqual([]);
  }

  /**
   * Driver 1 takes the booking, subscribes to it and releases it; driver 2 takes it and
   * drives. Driver 1's and the customer's sockets are on `edge`, the workers on `core`.
   */
  async function releaseAndHandOver(core: LoadlineApp, edge: LoadlineApp, pickup: typeof CITY) {
    const edgeUrl = baseUrlOf(edge);
    const customer = await newCustomer(edge);
    const first = await onlineDriver(core, { at: pickup });
    const customerSocket = await socketFor(edgeUrl, customer.token);
    const firstSocket = await socketFor(edgeUrl, first.token);
    const booking = await book(edge, customer.token, { pickup });
    await waitForOffer(edge, first.token, booking.id, 20_000);
    expect(await accept(edge, first.token, booking.id)).toBe(200);
    expect(await firstSocket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
      ok: true,
    });

    const second = await onlineDriver(core, { at: offset(pickup, 0.2) });
    const secondSocket = await socketFor(baseUrlOf(core), second.token);
    expect(await release(edge, first.token, booking.id)).toBe(200);
    // The release itself reaches the driver who made it.
    await firstSocket.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.bookingId === booking.id && event.seq === 3,
    );

    await secondDriverTakes(core, second, secondSocket, booking.id);
    await sawSecondDriver(customerSocket, booking.id, second.user.id);
    await sawSecondDriver(secondSocket, booking.id, second.user.id, false);
    await firstDriverSawNothingAfterRelease(firstSocket, booking.id, second.user.id);
  }

  it('a driver who released a trip receives none of its events afterwards; the next driver and the customer do', async () => {
    await releaseAndHandOver(app, app, offset(CITY, -3, -3));
  });

  it.runIf(isCluster)(
    "a release projected by one instance takes the driver's socket on another instance out of the room",
    async () => {
      const edge = await env.start({ roles: ['api', 'realtime'] });
      await edge.listen();
      await releaseAndHandOver(app, edge, offset(CITY, 3, -3));
    },
  );

  it('a driver who releases the trip while subscribeBooking is between its check and its join is not left in the room', async () => {
    const pickup = offset(CITY, -3, 3);
    const customer = await newCustomer(app);
    const first = await onlineDriver(app, { at: pickup });
    const customerSocket = await socketFor(url, customer.token);
    const firstSocket = await socketFor(url, first.token);
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, first.token, booking.id, 20_000);
    expect(await accept(app, first.token, booking.id)).toBe(200);
    const second = await onlineDriver(app, { at: offset(pickup, 0.2) });
    const secondSocket = await socketFor(url, second.token);

    const service = app.services.bookingCore.service;
    const get = service.get.bind(service);
    const spy = vi.spyOn(service, 'get').mockImplementationOnce(async (caller, bookingId) => {
      const seen = await get(caller, bookingId);
      // After the access check, before the join: the release commits and is projected.
      expect(await release(app, first.token, booking.id)).toBe(200);
      await firstSocket.waitFor<BookingStatusUpdatedEvent>(
        'bookingStatusUpdated',
        (event) => event.bookingId === booking.id && event.seq === 3,
      );
      return seen;
    });
    try {
      const answer = await firstSocket.request('subscribeBooking', { bookingId: booking.id });
      expect(answer).toEqual({ ok: false, error: { code: 'not_found', message: 'Booking was not found.' } });
    } finally {
      spy.mockRestore();
    }

    await secondDriverTakes(app, second, secondSocket, booking.id);
    await sawSecondDriver(customerSocket, booking.id, second.user.id);
    await firstDriverSawNothingAfterRelease(firstSocket, booking.id, second.user.id);
  });

  it("a driver's socket that was offline during the release is not recovered into the booking's room, nor sent what it got meanwhile", async () => {
    const pickup = offset(CITY, 3, 3);
    const customer = await newCustomer(app);
    const first = await onlineDriver(app, { at: pickup });
    const customerSocket = await socketFor(url, customer.token);
    const connected = await handshake(url, { transports: ['websocket'], auth: { token: first.token } });
    if (connected.socket === null) {
      throw connected.error;
    }
    const firstSocket = connected.socket;
    sockets.push(firstSocket);
    const booking = await book(app, customer.token, { pickup });
    await firstSocket.waitFor<Offer>('bookingOffer', (offer) => offer.bookingId === booking.id);
    expect(await accept(app, first.token, booking.id)).toBe(200);
    await firstSocket.waitFor<BookingStatusUpdatedEvent>(
      'bookingStatusUpdated',
      (event) => event.bookingId === booking.id && event.seq === 2,
    );
    expect(await firstSocket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
      ok: true,
    });
    const packets: unknown[] = [];
    firstSocket.socket.io.on('packet', (packet) => packets.push(packet.data));

    // The connection drops (no automatic reconnection here); meanwhile the trip changes hands.
    const dropped = new Promise<void>((resolve) => firstSocket.socket.once('disconnect', () => resolve()));
    firstSocket.socket.io.engine.close();
    await dropped;
    await gone(first.user.id);
    const second = await onlineDriver(app, { at: offset(pickup, 0.2) });
    const secondSocket = await socketFor(url, second.token);
    expect(await release(app, first.token, booking.id)).toBe(200);
    await secondDriverTakes(app, second, secondSocket, booking.id);
    await sawSecondDriver(customerSocket, booking.id, second.user.id);

    const back = new Promise<void>((resolve) => firstSocket.socket.once('connect', () => resolve()));
    firstSocket.socket.connect();
    await back;
    expect(firstSocket.socket.recovered).toBe(false);
    // Nothing about the booking came with the reconnection, not even before its CONNECT packet.
    const replayed = packets.filter((data) => JSON.stringify(data ?? null).includes(booking.id));
    expect(replayed).toEqual([]);
    // The release (seq 3) was sent while it was away: a client refetches after a connection that was not recovered.
    await firstDriverSawNothingAfterRelease(firstSocket, booking.id, second.user.id, [2]);
  });

  it("a suspended driver's offline socket is not recovered and is sent nothing when it comes back", async () => {
    const pickup = offset(CITY, 0, 4);
    const driver = await onlineDriver(app, { at: pickup });
    const customer = await newCustomer(app);
    const connected = await handshake(url, { transports: ['websocket'], auth: { token: driver.token } });
    if (connected.socket === null) {
      throw connected.error;
    }
    const driverSocket = connected.socket;
    sockets.push(driverSocket);
    const booking = await book(app, customer.token, { pickup });
    // A broadcast received: the client now holds an offset to recover from.
    await driverSocket.waitFor<Offer>('bookingOffer', (offer) => offer.bookingId === booking.id);
    const packets: unknown[] = [];
    driverSocket.socket.io.on('packet', (packet) => packets.push(packet.data));

    const dropped = new Promise<void>((resolve) => driverSocket.socket.once('disconnect', () => resolve()));
    driverSocket.socket.io.engine.close();
    await dropped;
    await gone(driver.user.id);
    const suspended = await app.http.inject({
      method: 'PATCH',
      url: `/v1/admin/drivers/${driver.user.id}`,
      headers: bearer(adminToken),
      payload: { suspended: true },
    });
    expect(suspended.statusCode).toBe(200);
    // After the suspension the offer is withdrawn: an event for the driver's room, sent while it is away.
    const deliver = vi.spyOn(app.services.sink, 'deliver');
    try {
      const cancelled = await app.http.inject({
        method: 'POST',
        url: `/v1/bookings/${booking.id}/cancel`,
        headers: bearer(customer.token),
        payload: {},
      });
      expect(cancelled.statusCode).toBe(200);
      await waitFor(() =>
        deliver.mock.calls.some(
          ([delivery]) =>
            delivery.event === 'offerRevoked' && delivery.rooms.includes(`driver:${driver.user.id}`),
        ),
      );
    } finally {
      deliver.mockRestore();
    }

    const refused = new Promise<Error & { data?: unknown }>((resolve) =>
      driverSocket.socket.once('connect_error', (error) => resolve(error as Error & { data?: unknown })),
    );
    driverSocket.socket.connect();
    expect((await refused).data).toMatchObject({ code: 'unauthenticated' });
    expect(packets.filter((data) => JSON.stringify(data ?? null).includes(booking.id))).toEqual([]);
  });

  it('a socket whose handshake was under way when its driver was suspended is disconnected', async () => {
    const driver = await onlineDriver(app, { at: offset(CITY, 0, -4) });
    const authenticator = app.services.authenticator;
    const authenticate = authenticator.authenticate.bind(authenticator);
    const spy = vi.spyOn(authenticator, 'authenticate').mockImplementationOnce(async (token) => {
      const auth = await authenticate(token);
      // The session was read; now the suspension revokes it and closes the driver's sockets.
      const suspended = await app.http.inject({
        method: 'PATCH',
        url: `/v1/admin/drivers/${driver.user.id}`,
        headers: bearer(adminToken),
        payload: { suspended: true },
      });
      expect(suspended.statusCode).toBe(200);
      return auth;
    });
    try {
      const connected = await handshake(url, { transports: ['websocket'], auth: { token: driver.token } });
      if (connected.socket === null) {
        throw connected.error;
      }
      const socket = connected.socket;
      sockets.push(socket);
      await waitFor(() => !socket.socket.connected);
      expect(await app.io.in(`user:${driver.user.id}`).fetchSockets()).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe(`realtime gateway: client events per socket are rate limited (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    env = await TestEnvironment.create('socketrate', { env: { SOCKET_EVENT_RATE: '100/2' } });
    app = await env.start({ clock });
    await app.listen();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a burst of 800 subscribeBooking: the first 100 are handled, the rest answered rate_limited without reaching the service', async () => {
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup: offset(CITY, 1, 1) });
    const socket = await connectSocket(baseUrlOf(app), customer.token);
    const get = vi.spyOn(app.services.bookingCore.service, 'get');
    try {
      const answers = await Promise.all(
        Array.from({ length: 800 }, () => socket.request('subscribeBooking', { bookingId: booking.id })),
      );
      const handled = answers.filter((answer) => answer.ok);
      const refused = answers.filter((answer): answer is AckError => !answer.ok);
      expect(handled).toHaveLength(100);
      expect(refused).toHaveLength(700);
      expect(new Set(refused.map((answer) => JSON.stringify(answer.error)))).toEqual(
        new Set([
          JSON.stringify({
            code: 'rate_limited',
            message: 'Too many requests; slow down.',
            details: { retryAfterSeconds: 1 },
          }),
        ]),
      );
      expect(get).toHaveBeenCalledTimes(100);

      // The budget refills at 100 per 2 s: a second later there is room for 50 more.
      clock.advance(1000);
      const later = await Promise.all(
        Array.from({ length: 60 }, () => socket.request('subscribeBooking', { bookingId: booking.id })),
      );
      expect(later.filter((answer) => answer.ok)).toHaveLength(50);
      expect(get).toHaveBeenCalledTimes(150);
    } finally {
      get.mockRestore();
      socket.close();
    }
  });
});
