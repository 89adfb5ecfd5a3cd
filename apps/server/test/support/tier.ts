/**
 * Which tier the test run is: `embedded` (no external service; `npm test`) or
 * `cluster` (MariaDB shards and Redis; `npm run test:cluster`). Tests that need
 * Redis or MySQL run only in the cluster tier, and there they never skip: the
 * global setup fails the run when a service is unreachable.
 */
export type TestTier = 'embedded' | 'cluster';

export const tier: TestTier = process.env.LOADLINE_TEST_TIER === 'cluster' ? 'cluster' : 'embedded';

export const isCluster = tier === 'cluster';

/** Base URL of the MariaDB/MySQL server the cluster tier uses. */
export const mysqlBaseUrl = process.env.LOADLINE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * The Redis Cluster variant of the cluster tier (`npm run test:cluster:redis-cluster`,
 * `LOADLINE_TEST_REDIS_CLUSTER=1`): the global setup starts a private 3-master Redis
 * Cluster on spare ports and points `redisUrl` at its seed nodes.
 */
export const redisClusterVariant = isCluster && process.env.LOADLINE_TEST_REDIS_CLUSTER === '1';

/**
 * Redis the cluster tier uses (in the Redis Cluster variant, the comma-separated
 * seed nodes the global setup started). Each test file isolates itself with its own key prefix.
 */
export const redisUrl = redisClusterVariant
  ? // Until the global setup has started the cluster: a port nothing listens on, so nothing falls back to 6379.
    (process.env.LOADLINE_TEST_REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:1')
  : (process.env.LOADLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A key prefix unique to this test file's run, so parallel files never share Redis keys. */
export function uniquePrefix(label: string): string {
  return `lltest:${label}:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
}
