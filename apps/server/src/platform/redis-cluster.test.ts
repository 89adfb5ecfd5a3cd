import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors';
import { createLogger } from '../lib/logger';
import { deleteKeysByPrefix } from '../../test/support/redis-keys';
import { startThrowawayRedisCluster } from '../../test/support/throwaway-services';
import { redisClusterVariant, redisUrl, uniquePrefix } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';
import { RedisCache } from './cache/redis-cache';
import { NodeLease } from './db/node-lease';
import { closeRedis, connectRedis, isRedisCluster, type RedisClient } from './redis';

const logger = createLogger('silent');

/**
 * What only a Redis Cluster can show (`npm run test:cluster:redis-cluster`): the
 * list form of REDIS_URL gives a cluster client, keys used alone spread over the
 * masters while the port contracts pass, and ID node leases stay unique there.
 */
describe.runIf(redisClusterVariant)('on a Redis Cluster', () => {
  const prefix = uniquePrefix('redis-cluster');
  let redis: RedisClient;

  beforeAll(async () => {
    redis = await connectRedis(redisUrl, 'redis-cluster-test');
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    await closeRedis(redis);
  });

  it('a list of seed nodes gives a cluster client that sees three masters', () => {
    expect(redisUrl.split(',')).toHaveLength(3);
    expect(isRedisCluster(redis)).toBe(true);
    if (!isRedisCluster(redis)) {
      return;
    }
    expect(redis.nodes('master')).toHaveLength(3);
  });

  it('cache keys spread over every master, and reads and deletes of many keys work across them', async () => {
    const cache = new RedisCache(redis, prefix);
    const keys = Array.from({ length: 30 }, (_, index) => `k${index}`);
    for (const key of keys) {
      await cache.set(key, `v-${key}`, 60);
    }
    expect(await cache.getMany([...keys, 'missing'])).toEqual([...keys.map((key) => `v-${key}`), null]);
    if (!isRedisCluster(redis)) {
      return;
    }
    const perNode = await Promise.all(
      redis.nodes('master').map(async (node) => (await node.keys(`${prefix}cache:*`)).length),
    );
    expect(perNode.every((count) => count > 0)).toBe(true);
    expect(perNode.reduce((sum, count) => sum + count, 0)).toBe(keys.length);
    await cache.delete(...keys);
    expect(await cache.getMany(keys)).toEqual(keys.map(() => null));
  });

  it('ID node leases taken through the cluster are distinct, and a released one is free again', async () => {
    const leasePrefix = `${prefix}lease:`;
    const leases = await Promise.all([
      NodeLease.acquire(redis, leasePrefix, logger),
      NodeLease.acquire(redis, leasePrefix, logger),
      NodeLease.acquire(redis, leasePrefix, logger),
    ]);
    try {
      const nodes = leases.map((lease) => lease.current());
      expect(new Set(nodes).size).toBe(3);
      const [first] = leases;
      const node = first.current();
      expect(await redis.exists(`${leasePrefix}idnode:${node}`)).toBe(1);
      await first.release();
      expect(await redis.exists(`${leasePrefix}idnode:${node}`)).toBe(0);
    } finally {
      await Promise.all(leases.map((lease) => lease.release()));
    }
  });

  it('a hung master costs a command on its slots the command timeout (503 unavailable); the other masters serve on', async () => {
    // A private cluster: stopping a node of the shared one would disturb the other test files.
    const own = await startThrowawayRedisCluster();
    const client = await connectRedis(own.url, 'redis-cluster-hang', {
      commandTimeoutMs: 500,
      logger: { warn: () => undefined },
    });
    const [hungPort] = own.ports;
    try {
      if (!isRedisCluster(client) || hungPort === undefined) {
        throw new Error('expected a cluster client');
      }
      const keys = Array.from({ length: 30 }, (_, index) => `hang:${index}`);
      for (const key of keys) {
        await client.set(key, key);
      }
      const hung = client.nodes('master').find((node) => node.options.port === hungPort);
      if (hung === undefined) {
        throw new Error('the paused port is no master');
      }
      const onHung = new Set(await hung.keys('hang:*'));
      const hungKey = keys.find((key) => onHung.has(key));
      const liveKey = keys.find((key) => !onHung.has(key));
      if (hungKey === undefined || liveKey === undefined) {
        throw new Error('keys did not spread over the masters');
      }
      own.pause(hungPort);
      try {
        const started = Date.now();
        const failure: unknown = await client.get(hungKey).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(AppError);
        expect(failure).toMatchObject({ status: 503, code: 'unavailable', details: { dependency: 'redis' } });
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(await client.get(liveKey)).toBe(liveKey);
      } finally {
        own.resume(hungPort);
      }
      await waitFor(async () => (await client.get(hungKey).catch(() => null)) === hungKey, 10_000, 100);
    } finally {
      await closeRedis(client);
      await own.dispose();
    }
  });
});
