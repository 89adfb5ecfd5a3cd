import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { createDatabases, withMysql } from './mysql';
import { createSchemaTemplate } from './schema-template';
import { startThrowawayRedisCluster } from './throwaway-services';
import { isCluster, mysqlBaseUrl, redisClusterVariant, redisUrl } from './tier';

export const SHARED_TEST_DATABASES = [
  'loadline_test_0',
  'loadline_test_1',
  'loadline_test_2',
  'loadline_test_3',
];

/**
 * The cluster tier needs MariaDB/MySQL and Redis; when either is unreachable
 * the whole run fails here instead of skipping anything.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (!isCluster) {
    return undefined;
  }
  ensureNginx();
  try {
    await withMysql(
      (connection) => createDatabases(connection, SHARED_TEST_DATABASES, { ifNotExists: true }),
      { connectTimeoutMs: 3000 },
    );
  } catch (error) {
    throw new Error(
      `cluster tier: MySQL/MariaDB at ${new URL(mysqlBaseUrl).host} is unreachable (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  // Test workers are forked after this and read what it sets in process.env.
  const dropTemplate = await createSchemaTemplate();

  if (redisClusterVariant) {
    // The Redis Cluster variant: a private cluster for this run; the shared Redis is not used.
    try {
      const cluster = await startThrowawayRedisCluster();
      process.env.LOADLINE_TEST_REDIS_CLUSTER_URL = cluster.url;
      return async () => {
        await cluster.dispose();
        await dropTemplate();
      };
    } catch (error) {
      await dropTemplate();
      throw error;
    }
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    await dropTemplate();
    throw new Error(
      `cluster tier: Redis at ${redisUrl} is unreachable (${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    redis.disconnect();
  }
  return dropTemplate;
}

/** The cluster tier runs instances behind a real nginx; Debian's package is installed when missing. */
function ensureNginx(): void {
  if (fs.existsSync('/usr/sbin/nginx')) {
    return;
  }
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'nginx'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    throw new Error(
      `cluster tier: nginx is missing and could not be installed (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
