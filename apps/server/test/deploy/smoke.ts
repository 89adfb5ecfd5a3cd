/**
 * The end-to-end check `npm run test:deploy` runs against a deployed topology:
 * through its load balancer, a customer and a driver sign up, connect with
 * Socket.IO's default options (long-polling, then the upgrade), the driver is
 * offered the customer's booking over its socket (api -> worker dispatch ->
 * realtime), accepts it over REST, and the customer's socket hears about it.
 *
 *   node --import tsx apps/server/test/deploy/smoke.ts http://127.0.0.1:28080
 */
import { io as connect, type Socket } from 'socket.io-client';
import type {
  Ack,
  AuthResponse,
  Booking,
  ClientToServerEvents,
  DriverConfirmedEvent,
  Offer,
  ServerToClientEvents,
} from '@loadline/contracts';
import { customerSignup, driverSignup } from '../support/factories';
import { CITY, offset } from '../support/fleet';
import { callApi } from '../support/http-api';
import { waitFor } from '../support/wait';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

function expectStatus(what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`${what}: expected HTTP ${expected}, got ${actual}`);
  }
}

async function signUp(base: string, body: unknown): Promise<AuthResponse> {
  const response = await callApi(base, 'POST', '/v1/auth/signup', undefined, body);
  expectStatus('signup', response.status, 201);
  return response.json as AuthResponse;
}

async function connected(base: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(base, { auth: { token }, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(new Error(`socket: ${error.message}`)));
  });
  await waitFor(() => socket.io.engine.transport.name === 'websocket', 20_000);
  return socket;
}

function next<T>(
  socket: ClientSocket,
  event: 'bookingOffer' | 'driverConfirmed',
  match: (data: T) => boolean,
) {
  const seen: T[] = [];
  socket.on(event, (data: unknown) => void seen.push(data as T));
  return async (): Promise<T> => {
    await waitFor(() => seen.some(match), 30_000);
    return seen.find(match) as T;
  };
}

async function smoke(base: string): Promise<void> {
  const ready = await callApi(base, 'GET', '/readyz');
  expectStatus('readyz', ready.status, 200);
  const customer = await signUp(base, customerSignup());
  const driver = await signUp(base, driverSignup());
  const sockets = [await connected(base, driver.token), await connected(base, customer.token)];
  const [driverSocket, customerSocket] = sockets as [ClientSocket, ClientSocket];
  try {
    const pickup = offset(CITY, 1);
    const located = (await driverSocket.timeout(10_000).emitWithAck('driverLocationUpdate', {
      ...pickup,
      heading: 0,
    })) as Ack;
    if (!located.ok) {
      throw new Error(`driverLocationUpdate refused: ${JSON.stringify(located)}`);
    }
    const online = await callApi(base, 'PUT', '/v1/driver/availability', driver.token, { online: true });
    expectStatus('driver availability', online.status, 200);

    const offered = next<Offer>(driverSocket, 'bookingOffer', () => true);
    const created = await callApi(base, 'POST', '/v1/bookings', customer.token, {
      pickup,
      dropoff: offset(pickup, 4),
      vehicleType: 'van',
    });
    expectStatus('booking', created.status, 201);
    const booking = created.json as Booking;
    const subscribed = (await customerSocket
      .timeout(10_000)
      .emitWithAck('subscribeBooking', { bookingId: booking.id })) as Ack;
    if (!subscribed.ok) {
      throw new Error(`subscribeBooking refused: ${JSON.stringify(subscribed)}`);
    }
    const confirmed = next<DriverConfirmedEvent>(
      customerSocket,
      'driverConfirmed',
      (event) => event.bookingId === booking.id,
    );
    const offer = await offered();
    if (offer.bookingId !== booking.id) {
      throw new Error(`the driver was offered ${offer.bookingId}, not ${booking.id}`);
    }
    const accepted = await callApi(base, 'POST', `/v1/driver/offers/${booking.id}/accept`, driver.token);
    expectStatus('accept', accepted.status, 200);
    await confirmed();
    process.stdout.write(`smoke: booking ${booking.id} booked, offered, accepted and seen live\n`);
  } finally {
    for (const socket of sockets) {
      socket.disconnect();
    }
  }
}

const base = process.argv[2];
if (base === undefined) {
  process.stderr.write('usage: smoke.ts BASE_URL\n');
  process.exit(2);
}
smoke(base).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`smoke failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
