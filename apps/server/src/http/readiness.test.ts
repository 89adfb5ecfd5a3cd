import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { customerSignup } from '../../test/support/factories';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { startThrowawayMariadb, startThrowawayRedis } from '../../test/support/throwaway-services';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

// Takes real servers down, so it needs the cluster tier's MariaDB and Redis.
describe.runIf(isCluster)('readiness when a dependency goes down (cluster)', () => {
  let env: TestEnvironment;
  let mariadb: Throwaway;
  let redis: Throwaway;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('readyz');
    const shards = (env.env.DATABASE_SHARDS ?? '').split(',');
    const movedName = new URL(shards[2] ?? '').pathname.slice(1);
    [mariadb, redis] = await Promise.all([startThrowawayMariadb([movedName]), startThrowawayRedis()]);
    shards[2] = `${mariadb.url}/${movedName}`;
    app = await env.start({
      env: { DATABASE_SHARDS: shards.join(','), REDIS_URL: redis.url, RATE_LIMITS: 'off' },
    });
  }, 120_000);

  afterAll(async () => {
    await env.destroy();
    await Promise.allSettled([mariadb.dispose(), redis.dispose()]);
  });

  it('is ready while every shard and Redis answer', async () => {
    const response = await app.http.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(200);
  });

  it('names the shard that went down, and requests that need it get 503 unavailable', async () => {
    await mariadb.kill();
    const response = await app.http.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: {
        code: 'unavailable',
        message: 'Unavailable: shard_2.',
        details: { dependencies: ['shard_2'] },
      },
    });

    const { router } = app.platform;
    let email = '';
    for (let index = 0; router.forKey(`email:${email}`).index !== 2; index += 1) {
      email = `down-${index}@example.com`;
    }
    const signup = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: customerSignup({ email }),
    });
    expect(signup.statusCode).toBe(503);
    expect(signup.json()).toMatchObject({
      error: { code: 'unavailable', details: { dependency: 'shard_2' } },
    });
    expect(signup.body).not.toContain('ECONNREFUSED');

    const healthy = await app.http.inject({ url: '/healthz' });
    expect(healthy.statusCode).toBe(200);
  });

  it('names Redis when it goes down: sessions still answer from SQL, what needs Redis gets 503 with the envelope', async () => {
    const { router } = app.platform;
    let index = 0;
    while (router.forKey(`email:up-${index}@example.com`).index === 2) {
      index += 1;
    }
    const email = `up-${index}@example.com`;
    const signup = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: customerSignup({ email }),
    });
    expect(signup.statusCode).toBe(201);
    const { token } = signup.json<{ token: string }>();

    await redis.kill();
    const response = await app.http.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(
      response.json<{ error: { details: { dependencies: string[] } } }>().error.details.dependencies,
    ).toEqual(['shard_2', 'redis']);

    // Sessions are kept in SQL (ADR 0017): a signed-in user stays signed in while Redis is away.
    const me = await app.http.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    const forged = await app.http.inject({
      url: '/v1/me',
      headers: { authorization: 'Bearer some-token-value' },
    });
    expect(forged.statusCode).toBe(401);

    const quote = await app.http.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: { authorization: `Bearer ${token}` },
      payload: { pickup: { lat: 12.97, lng: 77.59 }, dropoff: { lat: 13.0, lng: 77.62 }, vehicleType: 'van' },
    });
    // Surge reads Redis; the quote's ID needs the node lease, which Redis held: either dependency is named.
    expect(quote.statusCode).toBe(503);
    const { code, details } = quote.json<{ error: { code: string; details: { dependency: string } } }>()
      .error;
    expect(code).toBe('unavailable');
    expect(['redis', 'id_node']).toContain(details.dependency);
  });
});
