import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuthResponse,
  Booking,
  BookingEvent,
  BookingStatusUpdatedEvent,
  DriverConfirmedEvent,
  DriverLocationEvent,
  Offer,
} from '@loadline/contracts';
import { customerSignup, driverSignup } from '../../test/support/factories';
import { callApi } from '../../test/support/http-api';
import { CITY, offset } from '../../test/support/fleet';
import {
  socketCount,
  startNginx,
  startServerProcess,
  type RunningProcess,
} from '../../test/support/processes';
import { connectSocket, type TestSocket } from '../../test/support/sockets';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';

/**
 * What a client does to never miss a status: apply events in seq order, and
 * refetch the event list on a gap or after a reconnect that could not recover.
 */
class StatusTracker {
  readonly bySeq = new Map<number, string>();

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly bookingId: string,
    socket: TestSocket,
  ) {
    socket.socket.on('bookingStatusUpdated', (event: BookingStatusUpdatedEvent) => {
      if (event.bookingId !== this.bookingId) {
        return;
      }
      const gap = event.seq > this.highest() + 1;
      this.bySeq.set(event.seq, event.status);
      if (gap) {
        void this.refetch();
      }
    });
    socket.socket.on('connect', () => {
      if (!socket.socket.recovered) {
        void this.refetch();
      }
    });
  }

  highest(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  async refetch(): Promise<void> {
    const { status, json } = await callApi(
      this.base,
      'GET',
      `/v1/bookings/${this.bookingId}/events`,
      this.token,
    );
    if (status === 200) {
      for (const event of (json as { items: BookingEvent[] }).items) {
        this.bySeq.set(event.seq, event.status);
      }
    }
  }
}

// Real processes behind a real nginx, sharing MariaDB shards and Redis.
describe.runIf(isCluster)('two instances behind nginx (cluster)', () => {
  let env: TestEnvironment;
  let instances: RunningProcess[] = [];
  let nginx: RunningProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('nginx');
    const shared = {
      ...env.env,
      RATE_LIMITS: 'off',
      TRUST_PROXY: 'on',
      OFFER_TTL_SECONDS: '60',
      LOG_LEVEL: 'error',
    };
    // One after the other: the first applies the migrations.
    instances.push(await startServerProcess(shared));
    instances.push(await startServerProcess(shared));
    nginx = await startNginx(instances.map((instance) => instance.port));
  }, 180_000);

  afterAll(async () => {
    for (const socket of sockets) {
      socket.close();
    }
    await nginx.stop();
    await Promise.allSettled(instances.map((instance) => instance.stop()));
    instances = [];
    await env.destroy();
  });

  it('a customer on one instance receives the driver updates sent through the other, and sees every status after its instance dies', async () => {
    const base = nginx.url;
    const customer = (await callApi(base, 'POST', '/v1/auth/signup', undefined, customerSignup()))
      .json as AuthResponse;
    const driver = (await callApi(base, 'POST', '/v1/auth/signup', undefined, driverSignup()))
      .json as AuthResponse;

    const customerSocket = await connectSocket(base, customer.token);
    sockets.push(customerSocket);
    await waitFor(async () =>
      (await Promise.all(instances.map((i) => socketCount(i.url)))).some((count) => count === 1),
    );
    const customerInstance = (await Promise.all(instances.map((i) => socketCount(i.url)))).indexOf(1);
    const driverSocket = await connectSocket(base, driver.token);
    sockets.push(driverSocket);
    // least_conn put the second socket on the other instance.
    await waitFor(async () =>
      (await Promise.all(instances.map((i) => socketCount(i.url)))).every((count) => count === 1),
    );
    const counts = await Promise.all(instances.map((i) => socketCount(i.url)));
    expect(counts).toEqual([1, 1]);

    const pickup = offset(CITY, 2000);
    expect(await driverSocket.request('driverLocationUpdate', { ...pickup, heading: 0 })).toMatchObject({
      ok: true,
    });
    expect(
      (await callApi(base, 'PUT', '/v1/driver/availability', driver.token, { online: true })).status,
    ).toBe(200);

    const created = await callApi(base, 'POST', '/v1/bookings', customer.token, {
      pickup,
      dropoff: offset(pickup, 5),
      vehicleType: 'van',
    });
    expect(created.status).toBe(201);
    const booking = created.json as Booking;
    const tracker = new StatusTracker(base, customer.token, booking.id, customerSocket);
    await tracker.refetch();
    expect(await customerSocket.request('subscribeBooking', { bookingId: booking.id })).toMatchObject({
      ok: true,
    });

    await driverSocket.waitFor<Offer>('bookingOffer', (offer) => offer.bookingId === booking.id, 20_000);
    expect((await callApi(base, 'POST', `/v1/driver/offers/${booking.id}/accept`, driver.token)).status).toBe(
      200,
    );
    await customerSocket.waitFor<DriverConfirmedEvent>(
      'driverConfirmed',
      (event) => event.bookingId === booking.id,
      20_000,
    );

    const moved = offset(pickup, 0.4);
    expect(await driverSocket.request('driverLocationUpdate', { ...moved, heading: 10 })).toEqual({
      ok: true,
      accepted: true,
    });
    const seen = await customerSocket.waitFor<DriverLocationEvent>(
      'driverLocation',
      (event) => event.lat === moved.lat,
      20_000,
    );
    expect(seen).toMatchObject({
      bookingId: booking.id,
      driverId: driver.user.id,
      lng: moved.lng,
      heading: 10,
    });

    expect(
      await driverSocket.request('bookingStatusChanged', {
        bookingId: booking.id,
        status: 'en_route_to_pickup',
      }),
    ).toMatchObject({ ok: true });
    await waitFor(() => tracker.highest() >= 3, 20_000);

    // The customer's instance crashes mid-trip; the driver's keeps going.
    const victim = instances[customerInstance];
    if (victim === undefined) {
      throw new Error('no instance holds the customer');
    }
    await victim.kill();
    instances = instances.filter((instance) => instance !== victim);
    await waitFor(() => !customerSocket.socket.connected, 10_000);
    expect(driverSocket.socket.connected).toBe(true);

    for (const status of ['arrived_at_pickup', 'goods_collected', 'in_transit', 'delivered'] as const) {
      const response = await callApi(base, 'POST', `/v1/bookings/${booking.id}/status`, driver.token, {
        status,
      });
      expect(response.status).toBe(200);
    }

    await waitFor(() => customerSocket.socket.connected, 30_000);
    // Seq 7 may arrive live before the refetch that fills the gap answers: wait for the whole history.
    await waitFor(() => tracker.bySeq.get(7) === 'delivered' && tracker.bySeq.size === 7, 30_000);
    expect([...tracker.bySeq.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 'searching'],
      [2, 'driver_assigned'],
      [3, 'en_route_to_pickup'],
      [4, 'arrived_at_pickup'],
      [5, 'goods_collected'],
      [6, 'in_transit'],
      [7, 'delivered'],
    ]);
  }, 180_000);
});
