import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, customerSignup, signInAdmin, signUp, driverSignup } from '../../../test/support/factories';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, redisUrl } from '../../../test/support/tier';

/**
 * Redis is a cache: emptying it (a restart without persistence) must cost a
 * cache miss, not a logout, and must not bring a revoked session back. Each
 * check reads from a second instance started after Redis was emptied, so no
 * in-process copy answers for it.
 */
describe.runIf(isCluster)('sessions when Redis loses its data (cluster)', () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let redis: Redis;

  beforeAll(async () => {
    env = await TestEnvironment.create('durable-sessions', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await env.destroy();
  });

  /** Deletes every key of the app's prefix, as a Redis restart without persistence would. */
  async function emptyRedis(): Promise<void> {
    if (env.redisPrefix === null) {
      throw new Error('the cluster tier has a Redis prefix');
    }
    await deleteKeysByPrefix(redis, env.redisPrefix);
  }

  async function meStatus(on: LoadlineApp, token: string): Promise<number> {
    return (await on.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode;
  }

  it('a signed-in user stays signed in after Redis is emptied', async () => {
    const { token, user } = await signUp(app, customerSignup());
    expect(await meStatus(app, token)).toBe(200);

    await emptyRedis();
    const other = await env.start({ roles: ['api'] });
    try {
      const me = await other.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
      expect(me.statusCode).toBe(200);
      expect(me.json<MeResponse>().user.id).toBe(user.id);
    } finally {
      await other.close();
    }
  });

  it('a logged-out token stays refused after Redis is emptied', async () => {
    const { token } = await signUp(app, customerSignup());
    const logout = await app.http.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });
    expect(logout.statusCode).toBe(204);

    await emptyRedis();
    const other = await env.start({ roles: ['api'] });
    try {
      expect(await meStatus(other, token)).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("a suspended driver's sessions stay revoked after Redis is emptied", async () => {
    const admin = await signInAdmin(app);
    const { token, user } = await signUp(app, driverSignup());
    const suspend = await app.http.inject({
      method: 'PATCH',
      url: `/v1/admin/drivers/${user.id}`,
      headers: bearer(admin),
      payload: { suspended: true },
    });
    expect(suspend.statusCode).toBe(200);

    await emptyRedis();
    const other = await env.start({ roles: ['api'] });
    try {
      expect(await meStatus(other, token)).toBe(401);
      // The admin's own session was not revoked and survives too.
      expect(await meStatus(other, admin)).toBe(200);
    } finally {
      await other.close();
    }
  });
});
