import { afterAll, describe } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { describeFleetBoardContract } from './fleet-board.contract';
import { MemoryFleetBoard } from './memory-fleet-board';
import { closeRedis, createRedis } from '../redis';
import { RedisFleetBoard } from './redis-fleet-board';

describeFleetBoardContract('memory', () => Promise.resolve(new MemoryFleetBoard()));

describe.runIf(isCluster)('redis', () => {
  const redis = createRedis(redisUrl, 'fleet-test');
  const prefixes: string[] = [];
  describeFleetBoardContract('redis', () => {
    const prefix = uniquePrefix('fleet');
    prefixes.push(prefix);
    return Promise.resolve(new RedisFleetBoard(redis, prefix));
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeysByPrefix(redis, prefix);
    }
    await closeRedis(redis);
  });
});
