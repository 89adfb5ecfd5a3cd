import { afterAll, describe, expect, it } from 'vitest';
import { startThrowawayRedis } from '../../../test/support/throwaway-services';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { MemoryGeoIndex } from '../geo/memory-geo-index';
import { RedisGeoIndex } from '../geo/redis-geo-index';
import { closeRedis, connectRedis, createRedis } from '../redis';
import { describeLiveStateContract } from './live-state.contract';
import { MemoryLiveState } from './memory-live-state';
import { RedisLiveState } from './redis-live-state';

describeLiveStateContract('memory', () => {
  const geo = new MemoryGeoIndex();
  const store = new MemoryLiveState(geo);
  return Promise.resolve({ store, geo, close: () => store.close() });
});

describe.runIf(isCluster)('redis', () => {
  const redis = createRedis(redisUrl, 'live-state-test');
  const prefixes: string[] = [];
  describeLiveStateContract('redis', () => {
    const prefix = uniquePrefix('live');
    prefixes.push(prefix);
    const store = new RedisLiveState(redis, prefix);
    return Promise.resolve({ store, geo: new RedisGeoIndex(redis, prefix), close: () => store.close() });
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeysByPrefix(redis, prefix);
    }
    await closeRedis(redis);
  });
});

describe.runIf(isCluster)('redis: the ping script', () => {
  it('runs again after Redis lost its script cache (EVAL on NOSCRIPT)', async () => {
    // A private Redis: the shared one's script cache is not ours to flush.
    const server = await startThrowawayRedis();
    const redis = await connectRedis(server.url, 'live-state-noscript-test');
    try {
      const store = new RedisLiveState(redis, 'noscript:');
      const facts = { doc: '{}', set: 'available:van', indexed: true };
      const ping = (at: number) =>
        store.ping({
          member: '1',
          at,
          position: `{"at":${at}}`,
          point: { lat: 12.97, lng: 77.59 },
          sets: ['available:van'],
          rate: { limit: 10, windowMs: 1000 },
          positionTtlMs: 60_000,
        });
      await store.writeFacts('1', facts, 60_000);
      expect(await ping(1000)).toEqual({ outcome: 'accepted', facts: '{}' });
      await redis.script('FLUSH');
      expect(await ping(2000)).toEqual({ outcome: 'accepted', facts: '{}' });
      expect(await store.readPositions(['1'])).toEqual(['{"at":2000}']);
    } finally {
      await closeRedis(redis);
      await server.dispose();
    }
  });
});
