import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../../app';
import { connectRedis, closeRedis, type RedisClient } from '../../platform/redis';
import { bearer, driverSignup, signUp } from '../../../test/support/factories';
import { baseUrlOf, connectSocket } from '../../../test/support/sockets';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, redisClusterVariant, redisUrl } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { commandsDuring } from '../../../test/support/redis-monitor';
import { availableDriversSet } from './available-drivers';

const CITY = { lat: 12.9716, lng: 77.5946 };

/**
 * What one warm location ping costs Redis (ADR 0026): the commands the server
 * sends that name the driver, read from MONITOR; commands a script runs inside
 * Redis are reported with the source `lua` and are not round trips.
 */
describe.runIf(isCluster && !redisClusterVariant)('a location ping in one Redis round trip (cluster)', () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let monitorClient: RedisClient;

  beforeAll(async () => {
    env = await TestEnvironment.create('pingtrips');
    // No worker role: its background work (the outbox relay queueing the driver's earlier events,
    // the live feeds) writes to Redis on its own timers, naming the driver, and now and then lands
    // inside a measured ping.
    app = await env.start({ roles: ['api', 'realtime'] });
    await app.listen();
    monitorClient = await connectRedis(redisUrl, 'ping-round-trips-test');
  });

  afterAll(async () => {
    await closeRedis(monitorClient);
    await env.destroy();
  });

  async function commandsOf(driverId: string, work: () => Promise<void>): Promise<string[]> {
    const commands = await commandsDuring(
      monitorClient,
      // The admin map's batch (one transaction per window for every ping of a process) is not the ping's.
      (args) => !args.some((arg) => arg.includes('{fleet}')) && args.some((arg) => arg.includes(driverId)),
      work,
    );
    return commands.map(([command]) => command ?? '?');
  }

  it('a warm ping of an available driver is one command (the ping script) and still indexes the driver', async () => {
    const { token, user } = await signUp(app, driverSignup());
    const online = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(token),
      payload: { online: true },
    });
    expect(online.statusCode).toBe(200);
    const ping = (lat: number) =>
      app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(token),
        payload: { lat, lng: CITY.lng },
      });
    expect((await ping(CITY.lat)).statusCode).toBe(202);
    // Sends the admin map's pending batch.
    await app.platform.fleet.all();

    let answer: { status: number; body: unknown } | undefined;
    const commands = await commandsOf(user.id, async () => {
      const response = await ping(CITY.lat + 0.01);
      answer = { status: response.statusCode, body: response.json<unknown>() };
    });

    expect(answer).toEqual({ status: 202, body: { accepted: true } });
    expect(commands).toEqual(['evalsha']);
    const indexed = await app.platform.geo.position(availableDriversSet('van'), user.id);
    expect(indexed?.lat).toBeCloseTo(CITY.lat + 0.01, 5);
    await waitFor(async () => {
      const board = await app.platform.fleet.all();
      const entry = board.find((driver) => driver.id === user.id);
      return entry !== undefined && Math.abs(entry.lat - (CITY.lat + 0.01)) < 1e-5;
    });
  });

  it('a warm socket ping of a busy driver is the ping script, plus the event to its watchers on the stream', async () => {
    const { token, user } = await signUp(app, driverSignup());
    await app.services.drivers.presence.setActiveTrip(user.id, { bookingId: '1', customerId: '2' });
    const socket = await connectSocket(baseUrlOf(app), token);
    try {
      const first = await socket.request('driverLocationUpdate', { lat: CITY.lat, lng: CITY.lng });
      expect(first).toEqual({ ok: true, accepted: true });
      await app.platform.fleet.all();

      let ack: unknown;
      const commands = await commandsOf(user.id, async () => {
        ack = await socket.request('driverLocationUpdate', { lat: CITY.lat + 0.02, lng: CITY.lng });
      });

      expect(ack).toEqual({ ok: true, accepted: true });
      // XADD: the Socket.IO adapter carrying `driverLocation` to the booking's room in every process;
      // sent after the ping is done, and not waited for.
      expect(commands).toEqual(['evalsha', 'xadd']);
      expect(await app.platform.geo.position(availableDriversSet('van'), user.id)).toBeNull();
      expect((await app.services.drivers.presence.liveLocation(user.id))?.lat).toBe(CITY.lat + 0.02);
    } finally {
      socket.close();
    }
  });
});
