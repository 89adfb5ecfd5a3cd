import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors';
import { isCluster, redisUrl, tier, uniquePrefix } from '../../test/support/tier';
import { closeRedis, connectRedis, createRedis } from './redis';

async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe(`guarded Redis client (${tier})`, () => {
  const opened: ReturnType<typeof createRedis>[] = [];

  afterAll(async () => {
    await Promise.all(opened.map((client) => closeRedis(client)));
  });

  it('a command to an unreachable Redis rejects with 503 unavailable naming redis', async () => {
    const redis = createRedis(`redis://127.0.0.1:${await unusedPort()}`, 'guard-test', {
      logger: { warn: () => undefined },
    });
    opened.push(redis);
    const failure: unknown = await redis.get('anything').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 503, code: 'unavailable', details: { dependency: 'redis' } });
    const batch: unknown = await redis
      .multi()
      .set('a', '1')
      .get('a')
      .exec()
      .catch((error: unknown) => error);
    expect(batch).toMatchObject({ status: 503, code: 'unavailable' });
  });

  it('a command to an unreachable Redis Cluster (a list of seed nodes) rejects with 503 unavailable in seconds', async () => {
    const redis = createRedis(
      `redis://127.0.0.1:${await unusedPort()},redis://127.0.0.1:${await unusedPort()}`,
      'guard-test-cluster',
      { logger: { warn: () => undefined }, commandTimeoutMs: 500 },
    );
    opened.push(redis);
    const started = Date.now();
    const failure: unknown = await redis.get('anything').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 503, code: 'unavailable', details: { dependency: 'redis' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.runIf(isCluster)('an error Redis answers with stays what it is (a bug, not an outage)', async () => {
    const redis = await connectRedis(redisUrl, 'guard-test');
    opened.push(redis);
    const key = `${uniquePrefix('guard')}string`;
    await redis.set(key, 'x', 'EX', 60);
    const failure: unknown = await redis.hget(key, 'field').catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(AppError);
    expect(String(failure)).toContain('WRONGTYPE');
    expect(await redis.multi().get(key).exec()).toEqual([[null, 'x']]);
  });
});
