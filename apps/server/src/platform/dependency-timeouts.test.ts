import type { LightMyRequestResponse } from 'fastify';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { createLogger } from '../lib/logger';
import { bearer, customerSignup, driverSignup, signUp } from '../../test/support/factories';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { startThrowawayMariadb, startThrowawayRedis } from '../../test/support/throwaway-services';
import { waitFor } from '../../test/support/wait';
import { within } from '../../test/support/within';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from './redis';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

const TIMEOUT_MS = 1_000;
/** Room for a loaded machine; without timeouts these requests wait for as long as the server is stopped. */
const MARGIN_MS = 3_000;

function answer(
  response: LightMyRequestResponse | 'still waiting',
): { status: number; body: unknown } | string {
  return response === 'still waiting' ? response : { status: response.statusCode, body: response.json() };
}

const unavailable = (dependency: string) => ({
  status: 503,
  body: { error: { code: 'unavailable', details: { dependency } } },
});

// Stops its own MariaDB and Redis with SIGSTOP, so it needs the cluster tier.
describe.runIf(isCluster)('a hung dependency answers 503 within its timeout (cluster)', () => {
  let env: TestEnvironment;
  let mariadb: Throwaway;
  let redis: Throwaway;
  let app: LoadlineApp;
  /** An email whose user lives on shard 2, the one on the throwaway MariaDB. */
  let emailIndex = 0;

  function emailOnShard2(): string {
    for (;;) {
      const email = `hung-${emailIndex}@example.com`;
      emailIndex += 1;
      if (app.platform.router.forKey(`email:${email}`).index === 2) {
        return email;
      }
    }
  }

  function signupOnShard2(): Promise<LightMyRequestResponse> {
    return app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: customerSignup({ email: emailOnShard2() }),
    });
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('hung');
    const shards = (env.env.DATABASE_SHARDS ?? '').split(',');
    const movedName = new URL(shards[2] ?? '').pathname.slice(1);
    [mariadb, redis] = await Promise.all([startThrowawayMariadb([movedName]), startThrowawayRedis()]);
    shards[2] = `${mariadb.url}/${movedName}`;
    app = await env.start({
      env: {
        DATABASE_SHARDS: shards.join(','),
        REDIS_URL: redis.url,
        RATE_LIMITS: 'off',
        DB_QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
        REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS),
      },
    });
  }, 120_000);

  afterAll(async () => {
    mariadb.resume();
    redis.resume();
    await env.destroy();
    await Promise.allSettled([mariadb.dispose(), redis.dispose()]);
  });

  it('a request on a stopped shard gets 503 unavailable within the query timeout, and the same pool serves after SIGCONT', async () => {
    // The shard's pool holds open connections, as in a server that has been serving.
    await Promise.all([signupOnShard2(), signupOnShard2()]);
    const probe = await createConnection({ host: '127.0.0.1', port: mariadb.port, user: 'root' });
    mariadb.pause();
    try {
      // SIGSTOP lands a moment after kill() returns: wait until the server no longer answers.
      await waitFor(async () => (await within(200, probe.query('select 1'))) === 'still waiting', 5_000, 0);
      expect(answer(await within(TIMEOUT_MS + MARGIN_MS, signupOnShard2()))).toMatchObject(
        unavailable('shard_2'),
      );
    } finally {
      mariadb.resume();
      probe.destroy();
    }
    const after = await Promise.all(Array.from({ length: 4 }, () => signupOnShard2()));
    expect(after.map((response) => response.statusCode)).toEqual([201, 201, 201, 201]);
  });

  it('a request needing a stopped Redis gets 503 unavailable within the command timeout, and Redis serves after SIGCONT', async () => {
    const driver = await signUp(app, driverSignup());
    const ping = () =>
      app.http.inject({
        method: 'POST',
        url: '/v1/driver/location',
        headers: bearer(driver.token),
        payload: { lat: 12.97, lng: 77.59 },
      });
    expect((await ping()).statusCode).toBe(202);
    const probe: RedisClient = createRedis(redis.url, 'hung-probe', {
      commandTimeoutMs: 200,
      logger: createLogger('silent'),
    });
    await waitForRedis(probe);
    redis.pause();
    try {
      await waitFor(async () => (await probe.ping().catch(() => 'timed out')) === 'timed out', 5_000, 0);
      expect(answer(await within(TIMEOUT_MS + MARGIN_MS, ping()))).toMatchObject(unavailable('redis'));
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await ping()).statusCode === 202, 5_000);
    await closeRedis(probe);
  });
});
