import type { Redis } from 'ioredis';
import { isRedisCluster, type RedisClient } from '../../src/platform/redis';

/**
 * Deletes every key under `prefix` (SCAN + DEL), for test files cleaning up after
 * themselves. On a Redis Cluster it scans every master and deletes key by key,
 * since the keys of one DEL must share a slot there.
 */
export async function deleteKeysByPrefix(redis: RedisClient, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  if (!isRedisCluster(redis)) {
    return deleteMatching(redis, pattern, (keys) => redis.del(...keys));
  }
  const counts = await Promise.all(
    redis
      .nodes('master')
      .map((node) =>
        deleteMatching(node, pattern, async (keys) =>
          (await Promise.all(keys.map((key) => redis.del(key)))).reduce((sum, count) => sum + count, 0),
        ),
      ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

async function deleteMatching(
  node: Redis,
  pattern: string,
  remove: (keys: string[]) => Promise<number>,
): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) {
      deleted += await remove(keys);
    }
  } while (cursor !== '0');
  return deleted;
}
