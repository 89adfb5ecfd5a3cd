import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { commandsDuring } from '../../../test/support/redis-monitor';
import { isCluster, redisClusterVariant, redisUrl, uniquePrefix } from '../../../test/support/tier';
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

  it.skipIf(redisClusterVariant)(
    "sends a busy window's drivers in transactions of at most 250, and every entry lands",
    async () => {
      const prefix = uniquePrefix('fleet');
      prefixes.push(prefix);
      const board = new RedisFleetBoard(redis, prefix, 60_000);
      const drivers = Array.from({ length: 600 }, (_, index) => ({
        id: `d${index}`,
        lat: 10 + index / 1000,
        lng: 20,
        status: 'available' as const,
        vehicleType: 'van' as const,
      }));
      const written = await commandsDuring(
        redis,
        (args) => args[0]?.toLowerCase() === 'hset' && args[1] === `${prefix}{fleet}:map`,
        async () => {
          for (const driver of drivers) {
            await board.upsert(driver);
          }
          await board.flush();
        },
      );
      // Each HSET names the key, then an ID and an entry per driver.
      expect(written.map((args) => (args.length - 2) / 2)).toEqual([250, 250, 100]);
      const onMap = await board.all();
      expect(onMap).toHaveLength(600);
      expect(onMap.find((driver) => driver.id === 'd599')).toEqual(drivers[599]);
      expect((await board.takeChanges()).changed).toHaveLength(600);
      await board.close();
    },
  );

  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeysByPrefix(redis, prefix);
    }
    await closeRedis(redis);
  });
});
