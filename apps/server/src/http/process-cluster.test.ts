import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type {
  AuthResponse,
  BookingStatusUpdatedEvent,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@loadline/contracts';
import { customerSignup } from '../../test/support/factories';
import { CITY, offset } from '../../test/support/fleet';
import { startServerProcess, type RunningProcess } from '../../test/support/processes';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';
import { parseProcesses, sessionIdFor, sessionIdOf, workerOfSession } from './process-cluster';
import { SERVER_NODE_FLAGS } from './node-flags';

describe('process cluster: routing facts', () => {
  it('reads the Engine.IO session from the request line only', () => {
    expect(sessionIdOf('GET /socket.io/?EIO=4&transport=polling&sid=abc%2D1 HTTP/1.1\r\nHost: x\r\n')).toBe(
      'abc-1',
    );
    expect(sessionIdOf('POST /socket.io/?sid=Zz_9&EIO=4 HTTP/1.1\r\n')).toBe('Zz_9');
    expect(
      sessionIdOf('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nCookie: sid=nope\r\n'),
    ).toBeNull();
    expect(sessionIdOf('GET /v1/bookings HTTP/1.1\r\n')).toBeNull();
    expect(sessionIdOf('GET /?sid=%E0%A4%A HTTP/1.1\r\n')).toBeNull();
  });

  it('reads the worker that minted a session from the session ID, and nothing from an ID of another shape', () => {
    const sid = sessionIdFor(3, 'AbC-d_9');
    expect(sid).toBe('w3.AbC-d_9');
    expect(workerOfSession(sid)).toBe(3);
    expect(
      workerOfSession(sessionIdOf(`GET /socket.io/?EIO=4&sid=${encodeURIComponent(sid)} HTTP/1.1\r\n`) ?? ''),
    ).toBe(3);
    expect(workerOfSession('AbCdEf0123456789')).toBeNull();
    expect(workerOfSession('wx.abc')).toBeNull();
  });

  it('takes a whole number of processes or auto', () => {
    expect(parseProcesses(undefined, 8)).toBe(1);
    expect(parseProcesses('auto', 8)).toBe(8);
    expect(parseProcesses('3', 8)).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two', '65']) {
      expect(() => parseProcesses(bad, 8)).toThrow(/--processes/);
    }
  });
});

/** A client with Socket.IO's defaults (long-polling first, then upgrade), or held on long-polling. */
async function defaultClient(
  url: string,
  token: string,
  transports?: ('polling' | 'websocket')[],
): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
    auth: { token },
    forceNew: true,
    reconnection: false,
    ...(transports === undefined ? {} : { transports }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

describe.runIf(isCluster)('start --processes 2 (cluster)', () => {
  let env: TestEnvironment;
  let server: RunningProcess;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('processes');
    server = await startServerProcess(
      { ...env.env, RATE_LIMITS: 'off', LOG_LEVEL: 'error' },
      'api,realtime,worker',
      undefined,
      ['--processes', '2'],
    );
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) {
      socket.disconnect();
    }
    await server.stop();
    await env.destroy();
  });

  it('clients with default options and long-polling-only clients connect and get their events, whichever process holds them', async () => {
    const signup = await fetch(`${server.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customerSignup()),
    });
    expect(signup.status).toBe(201);
    const customer = (await signup.json()) as AuthResponse;

    for (let index = 0; index < 4; index += 1) {
      sockets.push(await defaultClient(server.url, customer.token));
      sockets.push(await defaultClient(server.url, customer.token, ['polling']));
    }
    const seen = sockets.map(() => new Set<string>());
    sockets.forEach((socket, index) => {
      socket.on('bookingStatusUpdated', (event: BookingStatusUpdatedEvent) => {
        seen[index]?.add(`${event.bookingId}:${event.status}`);
      });
    });

    const booked = await fetch(`${server.url}/v1/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
      body: JSON.stringify({ pickup: CITY, dropoff: offset(CITY, 4), vehicleType: 'van' }),
    });
    expect(booked.status).toBe(201);
    const { id } = (await booked.json()) as { id: string };

    await waitFor(() => seen.every((events) => events.has(`${id}:searching`)), 15_000);
    expect(sockets.every((socket) => socket.connected)).toBe(true);
    // Each session names the worker holding it, which is how the primary routes its requests.
    const workers = new Set(sockets.map((socket) => workerOfSession(socket.io.engine.id)));
    expect(workers.has(null)).toBe(false);
    expect(workers.size).toBe(2);
  });

  it("the workers run with the server's V8 flags, though the primary was started without them", () => {
    const workers = execFileSync('ps', ['-o', 'args=', '--ppid', String(server.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('main.ts'));
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      expect(worker.split(' ')).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    }
  });

  it('drains on SIGTERM: the primary and its workers exit', async () => {
    await server.stop();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
