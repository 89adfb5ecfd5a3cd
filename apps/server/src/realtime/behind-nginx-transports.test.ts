import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type {
  AuthResponse,
  Booking,
  BookingStatusUpdatedEvent,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@loadline/contracts';
import { callApi } from '../../test/support/http-api';
import { customerSignup } from '../../test/support/factories';
import { CITY, offset } from '../../test/support/fleet';
import {
  socketCount,
  startNginx,
  startServerProcess,
  type RunningProcess,
} from '../../test/support/processes';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A client as a third-party integrator writes it: Socket.IO's defaults, with their transports. */
interface Observed {
  readonly socket: ClientSocket;
  /** connect_error and unexpected disconnects, in order. */
  readonly problems: string[];
  readonly statuses: BookingStatusUpdatedEvent[];
}

function observe(url: string, token: string, transports?: ('polling' | 'websocket')[]): Observed {
  const socket: ClientSocket = connect(url, {
    auth: { token },
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    ...(transports === undefined ? {} : { transports }),
  });
  const observed: Observed = { socket, problems: [], statuses: [] };
  socket.on('connect_error', (error) => observed.problems.push(`connect_error: ${error.message}`));
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') {
      observed.problems.push(`disconnect: ${reason}`);
    }
  });
  socket.on('bookingStatusUpdated', (event) => observed.statuses.push(event));
  return observed;
}

function transportOf(socket: ClientSocket): string {
  return socket.io.engine.transport.name;
}

// Real processes behind the shipped nginx config: every transport a client may pick must work.
describe.runIf(isCluster)('Socket.IO transports through nginx with two instances (cluster)', () => {
  let env: TestEnvironment;
  let instances: RunningProcess[] = [];
  let nginx: RunningProcess;
  const clients: Observed[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('nginxtransports', { shards: 2 });
    const shared = { ...env.env, RATE_LIMITS: 'off', TRUST_PROXY: 'on', LOG_LEVEL: 'error' };
    // One after the other: the first applies the migrations.
    instances.push(await startServerProcess(shared));
    instances.push(await startServerProcess(shared));
    nginx = await startNginx(instances.map((instance) => instance.port));
  }, 180_000);

  afterAll(async () => {
    for (const client of clients) {
      client.socket.disconnect();
    }
    await nginx.stop();
    await Promise.allSettled(instances.map((instance) => instance.stop()));
    instances = [];
    await env.destroy();
  });

  async function customer(): Promise<AuthResponse> {
    const signup = await callApi(nginx.url, 'POST', '/v1/auth/signup', undefined, customerSignup());
    expect(signup.status).toBe(201);
    return signup.json as AuthResponse;
  }

  /** Books, subscribes over the socket and cancels over REST: the socket must see the cancellation. */
  async function roundTrip(client: Observed, token: string): Promise<void> {
    const pickup = offset(CITY, 1000 + clients.length);
    const created = await callApi(nginx.url, 'POST', '/v1/bookings', token, {
      pickup,
      dropoff: offset(pickup, 5),
      vehicleType: 'van',
    });
    expect(created.status).toBe(201);
    const booking = created.json as Booking;
    expect(
      await client.socket.timeout(10_000).emitWithAck('subscribeBooking', { bookingId: booking.id }),
    ).toMatchObject({ ok: true });
    expect((await callApi(nginx.url, 'POST', `/v1/bookings/${booking.id}/cancel`, token)).status).toBe(200);
    await waitFor(() =>
      client.statuses.some((event) => event.bookingId === booking.id && event.status === 'cancelled'),
    );
  }

  it('clients with the default options (long-polling, then the upgrade) connect, upgrade and stay connected', async () => {
    const started: { client: Observed; token: string }[] = [];
    for (let index = 0; index < 6; index += 1) {
      const { token } = await customer();
      const client = observe(nginx.url, token);
      clients.push(client);
      started.push({ client, token });
    }
    for (const { client } of started) {
      await waitFor(() => client.socket.connected && transportOf(client.socket) === 'websocket', 20_000);
    }
    for (const { client, token } of started) {
      await roundTrip(client, token);
    }
    expect(started.flatMap(({ client }) => client.problems)).toEqual([]);
  }, 120_000);

  it('long-polling-only and WebSocket-only clients work too, and WebSocket-only ones are spread by least connections', async () => {
    const pollingToken = (await customer()).token;
    const polling = observe(nginx.url, pollingToken, ['polling']);
    clients.push(polling);
    await waitFor(() => polling.socket.connected, 20_000);
    await roundTrip(polling, pollingToken);
    expect(transportOf(polling.socket)).toBe('polling');

    const before = await socketCounts();
    const websocketOnly: Observed[] = [];
    for (let index = 0; index < 2; index += 1) {
      const { token } = await customer();
      const client = observe(nginx.url, token, ['websocket']);
      clients.push(client);
      websocketOnly.push(client);
      await waitFor(() => client.socket.connected, 20_000);
      await roundTrip(client, token);
    }
    const after = await socketCounts();
    expect(after.map((count, index) => count - (before[index] ?? 0))).toEqual([1, 1]);
    expect([polling, ...websocketOnly].flatMap((client) => client.problems)).toEqual([]);
  }, 120_000);

  it('a default-options client whose instance dies reconnects through the other one', async () => {
    const { token } = await customer();
    const before = await socketCounts();
    const client = observe(nginx.url, token);
    clients.push(client);
    await waitFor(() => client.socket.connected && transportOf(client.socket) === 'websocket', 20_000);
    let holder = -1;
    await waitFor(async () => {
      holder = (await socketCounts()).findIndex((count, index) => count > (before[index] ?? 0));
      return holder >= 0;
    });
    const victim = instances[holder];
    if (victim === undefined) {
      throw new Error('no instance holds the session');
    }
    await victim.kill();
    instances = instances.filter((instance) => instance !== victim);
    await waitFor(() => !client.socket.connected, 10_000);
    await waitFor(() => client.socket.connected, 30_000);
    await roundTrip(client, token);
  }, 120_000);

  function socketCounts(): Promise<number[]> {
    return Promise.all(instances.map((instance) => socketCount(instance.url)));
  }
});
