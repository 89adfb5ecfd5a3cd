import { afterAll, describe } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { MemoryGeoIndex } from '../geo/memory-geo-index';
import { RedisGeoIndex } from '../geo/redis-geo-index';
import { closeRedis, createRedis } from '../redis';
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
